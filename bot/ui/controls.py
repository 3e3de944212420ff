"""Buttons that last: every button the bot posts is a ``Control``, a discord.py
``DynamicItem`` whose custom id holds what it acts on (a lesson page, a quiz's
row in SQLite, the student it belongs to). discord.py finds the control by its
custom id whenever it is pressed, so it works after a restart of the bot and
for as long as the message exists: there is no view in memory to time out.

- Each bot registers its own subclass of each control, bound to its services
  (``bind``), so a control needs nothing from the client object.
- A control acts for the student it belongs to only (``owned_by``), and a control
  whose object is gone (a lesson page that no longer exists, a quiz that ended)
  answers so, privately and translated: ``UserError`` through ``Presenter.fail``.
- ``Expired`` answers every press that no control matches: buttons of messages
  posted by an older version of the bot (random custom ids of views that lived
  in memory) or a custom id a control no longer reads. Never "This interaction
  failed".

Custom ids are at most 100 characters (Discord); every template here stays far
below (ids are at most 20 digits, topics a short slug).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Self

import discord

from bot.errors import UserError

if TYPE_CHECKING:  # the presenter renders the share control: no import back at run time
    from bot.ui.presenter import Presenter

#: The longest custom id Discord accepts.
CUSTOM_ID_LIMIT = 100


class Control(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"layerlab:control:(?!)"):
    """A button that needs no memory of the message it is on. Subclasses give a
    ``template`` (a regular expression over the custom id), build themselves from
    its match (``from_custom_id``) and do their work in ``press``."""

    presenter: ClassVar[Presenter]

    @classmethod
    def bind(cls, **services: Any) -> type[Self]:
        """This control bound to a bot's services (class attributes of the subclass)."""
        return type(cls.__name__, (cls,), services, template=cls.__discord_ui_compiled_template__)

    @staticmethod
    def button(
        custom_id: str,
        label: str,
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        emoji: str | None = None,
        disabled: bool = False,
    ) -> discord.ui.Button[Any]:
        if len(custom_id) > CUSTOM_ID_LIMIT:
            raise ValueError(f"custom id over {CUSTOM_ID_LIMIT} characters: {custom_id!r}")
        return discord.ui.Button(
            custom_id=custom_id, label=label[:80], style=style, emoji=emoji, disabled=disabled
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # discord.py logs and drops a dynamic item's exceptions; handled() answers them.
        await self.presenter.handled(interaction, lambda: self.press(interaction))

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def owned_by(interaction: discord.Interaction[Any], user_id: int, refusal: str) -> None:
        """Refuse (``refusal``, a catalog key) anyone but the student this control belongs to."""
        if interaction.user.id != user_id:
            raise UserError(refusal)


def templates_of(controls: Iterable[type[Control]]) -> list[str]:
    """The controls' templates with their named groups made anonymous (for a lookahead)."""
    return [re.sub(r"\(\?P<\w+>", "(?:", c.__discord_ui_compiled_template__.pattern) for c in controls]


class Expired(discord.ui.DynamicItem[discord.ui.Item[Any]], template=r"(?s:.*)"):
    """Any press no control of this bot matches (``excluding``): it says the button
    is from an older message, and how to get a fresh one."""

    presenter: ClassVar[Presenter]

    @classmethod
    def excluding(cls, controls: Iterable[type[Control]], presenter: Presenter) -> type[Expired]:
        """The catch-all for a bot whose controls are ``controls``."""
        known = "|".join(f"(?:{t})" for t in templates_of(controls))
        template = re.compile(rf"(?s)(?!(?:{known})\Z).*") if known else re.compile(r"(?s).*")
        return type(cls.__name__, (cls,), {"presenter": presenter}, template=template)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Expired:
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def answer() -> None:
            raise UserError("control.expired")

        await self.presenter.handled(interaction, answer)


__all__ = ["CUSTOM_ID_LIMIT", "Control", "Expired", "templates_of"]
