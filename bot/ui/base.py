"""The base classes of every view and form the bot shows: their errors go the way
a command's do (``Presenter.fail``), and the end of each click or submit is
signalled where a command's is (``Presenter.finished``).

discord.py runs a view's item, and a modal's submit, in ``_scheduled_task``
(checks, callback, ``on_error``); wrapping it is the one place that sees every
way such an interaction ends, a refused check included. It is a private name of
discord.py's: the tests drive real discord.py through it, so a change there
fails them rather than going unnoticed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.ui.presenter import Presenter


class LayerLabView(discord.ui.View):
    def __init__(self, presenter: Presenter, *, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        self.presenter = presenter

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await self.presenter.fail(interaction, error)

    async def _scheduled_task(
        self, item: discord.ui.Item[Any], interaction: discord.Interaction[Any]
    ) -> None:
        try:
            await super()._scheduled_task(item, interaction)
        finally:
            self.presenter.finished(interaction)


class LayerLabModal(discord.ui.Modal):
    def __init__(self, presenter: Presenter, *, title: str, custom_id: str) -> None:
        super().__init__(title=title, custom_id=custom_id)
        self.presenter = presenter

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        await self.presenter.fail(interaction, error)

    # Modal's own signature differs from the views' it inherits (discord.py types both on BaseView).
    async def _scheduled_task(self, interaction: discord.Interaction[Any], *args: Any) -> None:  # type: ignore[override]
        try:
            await super()._scheduled_task(interaction, *args)
        finally:
            self.presenter.finished(interaction)
