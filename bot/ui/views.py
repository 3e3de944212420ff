"""The button under a private result that posts it in the channel for everyone."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.events import INTERACTION_DONE
from bot.i18n import Catalog
from bot.ui.replies import Reply, shared_copy

log = logging.getLogger(__name__)

#: How long the share button works after the result was posted.
SHARE_TIMEOUT = 15 * 60


class ShareView(discord.ui.View):
    def __init__(self, *, reply: Reply, author_id: int, catalog: Catalog, lang: str) -> None:
        super().__init__(timeout=SHARE_TIMEOUT)
        self.reply = reply
        self.author_id = author_id
        self.catalog = catalog
        self.shared = False
        self.share.label = catalog(lang, "share.button")

    @discord.ui.button(style=discord.ButtonStyle.secondary, emoji="📢")
    async def share(self, interaction: discord.Interaction[Any], _: discord.ui.Button[ShareView]) -> None:
        lang = interaction.client.presenter.language(interaction)
        none = discord.AllowedMentions.none()
        try:
            if interaction.user.id != self.author_id:
                await interaction.response.send_message(
                    self.catalog(lang, "share.not_yours"), ephemeral=True, allowed_mentions=none
                )
            elif self.shared:
                await interaction.response.send_message(
                    self.catalog(lang, "share.already"), ephemeral=True, allowed_mentions=none
                )
            else:
                self.shared = True
                copy = shared_copy(self.catalog, lang, self.reply, interaction.user.display_name)
                await interaction.response.send_message(
                    copy.content,
                    embeds=list(copy.embeds),
                    files=copy.discord_files(),
                    allowed_mentions=none,
                )
        finally:
            interaction.client.dispatch(INTERACTION_DONE, interaction)
