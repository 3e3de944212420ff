"""The base class of the forms (modals) the bot shows: their errors go the way a
command's do (``Presenter.fail``), and the end of each submit is signalled where
a command's is (``Presenter.finished``).

discord.py runs a modal's submit in ``_scheduled_task``
(checks, callback, ``on_error``); wrapping it is the one place that sees every
way such an interaction ends, a refused check included. It is a private name of
discord.py's: the tests drive real discord.py through it, so a change there
fails them rather than going unnoticed.

Buttons are ``Control``s (``bot.ui.controls``) and need no view in memory. A
form (modal) does live in memory while it is open; each gets a custom id of its
own, and the presenter knows which are open, so a form submitted after a
restart (or after ``FORM_TIMEOUT``) is answered with what was typed in it
(``Presenter.orphan_form``) instead of "This interaction failed".
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.ui.presenter import Presenter


#: How long an open form waits for its submit.
FORM_TIMEOUT = 60 * 60.0
#: How long a submitted form's id stays known (its submit is still being answered).
FORM_LINGER = 60.0


class LayerLabModal(discord.ui.Modal):
    def __init__(self, presenter: Presenter, *, title: str, custom_id: str) -> None:
        # A fresh suffix: two teachers' open forms never share an id in discord.py's store.
        super().__init__(
            title=title, custom_id=f"{custom_id}:{secrets.token_hex(4)}"[:100], timeout=FORM_TIMEOUT
        )
        self.presenter = presenter
        presenter.forms.add(self.custom_id)

    async def on_timeout(self) -> None:
        self.presenter.forms.discard(self.custom_id)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        await self.presenter.fail(interaction, error)

    # Modal's own signature differs from the views' it inherits (discord.py types both on BaseView).
    async def _scheduled_task(self, interaction: discord.Interaction[Any], *args: Any) -> None:  # type: ignore[override]
        try:
            await super()._scheduled_task(interaction, *args)
        finally:
            self.presenter.finished(interaction)
            asyncio.get_running_loop().call_later(FORM_LINGER, self.presenter.forms.discard, self.custom_id)
