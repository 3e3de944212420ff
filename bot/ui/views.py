"""The button under a private result that posts it in the channel for everyone."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.ui.base import LayerLabView
from bot.ui.replies import Reply, shared_copy

if TYPE_CHECKING:
    from bot.ui.presenter import Presenter

log = logging.getLogger(__name__)

#: How long the share button works after the result was posted.
SHARE_TIMEOUT = 15 * 60


class ShareView(LayerLabView):
    def __init__(self, presenter: Presenter, *, reply: Reply, author_id: int, lang: str) -> None:
        super().__init__(presenter, timeout=SHARE_TIMEOUT)
        self.reply = reply
        self.author_id = author_id
        self.shared = False
        self.share.label = presenter.catalog(lang, "share.button")

    @discord.ui.button(style=discord.ButtonStyle.secondary, emoji="📢")
    async def share(self, interaction: discord.Interaction[Any], _: discord.ui.Button[ShareView]) -> None:
        t = self.presenter.catalog
        lang = self.presenter.language(interaction)
        none = discord.AllowedMentions.none()
        if interaction.user.id != self.author_id:
            await interaction.response.send_message(
                t(lang, "share.not_yours"), ephemeral=True, allowed_mentions=none
            )
        elif self.shared:
            await interaction.response.send_message(
                t(lang, "share.already"), ephemeral=True, allowed_mentions=none
            )
        else:
            self.shared = True
            copy = shared_copy(t, lang, self.reply, interaction.user.display_name)
            await interaction.response.send_message(
                copy.content, embeds=list(copy.embeds), files=copy.discord_files(), allowed_mentions=none
            )
