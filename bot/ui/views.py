"""The button under a private result that posts it in the channel for everyone.

What it posts is the message it is on, as Discord holds it (text, embeds and
attached files, read back from Discord): nothing is kept in the bot, so the
button works after a restart and for as long as the student keeps the message.
Once posted, the button turns into a disabled "Posted in the channel".
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

import discord

from bot.errors import UserError
from bot.ui.controls import Control
from bot.ui.replies import Reply, send_followup, shared_copy

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


class ShareButton(Control, template=r"layerlab:share:(?P<user>[0-9]{1,20})"):
    #: Messages being posted right now (a double click posts once).
    posting: ClassVar[set[int]] = set()

    def __init__(self, user_id: int, label: str = "Post in channel") -> None:
        super().__init__(self.button(f"layerlab:share:{user_id}", label, emoji="📢"))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShareButton:
        return cls(int(match["user"]))

    @classmethod
    def under_result(cls, user_id: int, label: str) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        view.add_item(cls(user_id, label))
        return view

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        self.owned_by(interaction, self.user_id, "share.not_yours")
        message = interaction.message
        assert message is not None  # a button is always on a message
        if message.id in self.posting:
            raise UserError("share.already")
        self.posting.add(message.id)
        try:
            await self._post(interaction, message)
        finally:
            self.posting.discard(message.id)

    async def _post(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        t = self.presenter.catalog
        lang = self.presenter.language(interaction)
        await interaction.response.defer()  # an update of the message the button is on
        files = []
        for attachment in message.attachments:
            try:
                files.append((attachment.filename, await attachment.read()))
            except discord.HTTPException:  # gone from Discord's CDN: post the rest
                log.warning("Could not read attachment %s of message %s", attachment.filename, message.id)
        original = Reply(content=message.content, embeds=tuple(message.embeds), files=tuple(files))
        await send_followup(
            interaction, shared_copy(t, lang, original, interaction.user.display_name), ephemeral=False
        )
        done = discord.ui.View(timeout=None)
        done.add_item(discord.ui.Button(label=t(lang, "share.done"), emoji="📢", disabled=True))
        done.stop()  # nothing to listen for: discord.py need not keep it
        await interaction.edit_original_response(view=done, allowed_mentions=NO_MENTIONS)
