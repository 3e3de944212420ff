"""The confirmation under /privacy forget: delete everything, or keep it.

A ``Control`` (``bot.ui.controls``) that carries its student: it works after a
restart of the bot too, and only for that student. Confirming twice is harmless
(the second finds nothing left to delete and says so with zero counts).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import discord

from bot.errors import UserError
from bot.i18n import Catalog
from bot.sandbox.models import Owner
from bot.services.privacy import Privacy
from bot.ui.controls import Control
from bot.ui.replies import make_embed


class ForgetButton(Control, template=r"layerlab:forget:(?P<user>[0-9]{1,20}):(?P<action>confirm|cancel)"):
    privacy: ClassVar[Privacy]

    def __init__(self, user_id: int, action: str, **button: Any) -> None:
        super().__init__(
            self.button(f"layerlab:forget:{user_id}:{action}", button.pop("label", action), **button)
        )
        self.user_id, self.action = user_id, action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(int(match["user"]), match["action"])

    @classmethod
    def confirmation(cls, t: Catalog, lang: str, user_id: int) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        view.add_item(
            cls(user_id, "confirm", label=t(lang, "privacy.confirm"), style=discord.ButtonStyle.danger)
        )
        view.add_item(cls(user_id, "cancel", label=t(lang, "privacy.cancel")))
        return view

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        self.owned_by(interaction, self.user_id, "control.not_yours")
        if interaction.guild_id is None:
            raise UserError("error.guild_only")
        t = self.presenter.catalog
        lang = self.presenter.language(interaction)
        title = t(lang, "privacy.title")
        if self.action == "cancel":
            await interaction.response.edit_message(
                embed=make_embed(title, t(lang, "privacy.kept")), view=None
            )
            return
        await interaction.response.defer()
        gone = await self.privacy.forget(Owner(interaction.guild_id, self.user_id))
        text = t(lang, "privacy.forgotten", rows=gone.rows, images=gone.images, labs=gone.lab_containers)
        await interaction.edit_original_response(embed=make_embed(title, text), view=None)
