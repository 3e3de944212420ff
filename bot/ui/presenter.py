"""How every interaction is answered: acknowledged at once, queue and result shown,
every failure turned into a reply by one path (``Presenter.fail``), and its end
signalled from one place (``Presenter.finished``).

The command tree, the base classes of views and modals (``bot.ui.base``) and the
dynamic buttons all end in ``finished``: one log line per interaction, and the
``INTERACTION_DONE`` event the offline console and the tests wait for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import discord
from discord import app_commands

from bot.errors import ShuttingDown, UserError
from bot.events import INTERACTION_DONE
from bot.i18n import Catalog
from bot.sandbox.limits import Limits
from bot.sandbox.models import Owner
from bot.services.preferences import Preferences
from bot.ui.replies import Reply, error_text
from bot.ui.text import CONTENT_LIMIT, inline
from bot.ui.views import ShareButton

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
#: ``interaction.extras`` key: whether the deferred answer is visible to everyone.
PUBLIC = "layerlab.public"
#: ``interaction.extras`` key: how the interaction ended ("ok", "refused:<key>", "error:<id>").
OUTCOME = "layerlab.outcome"
#: Responses after which "@original" is the message a button is on, not an answer of ours.
_UPDATES = (
    discord.InteractionResponseType.deferred_message_update,
    discord.InteractionResponseType.message_update,
)


def command_name(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    if command is not None:
        return command.qualified_name
    data = cast(dict[str, Any], interaction.data or {})
    custom_id = data.get("custom_id")
    return f"component:{str(custom_id).split(':')[1]}" if custom_id and ":" in str(custom_id) else "component"


@dataclass
class Job:
    """One command being answered."""

    presenter: Presenter
    interaction: discord.Interaction[Any]
    lang: str
    owner: Owner

    async def on_wait(self, position: int) -> None:
        text = self.presenter.catalog(self.lang, "common.queued", position=position)
        await self.interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)

    async def finish(self, reply: Reply, *, shareable: bool = True) -> None:
        public = bool(self.interaction.extras.get(PUBLIC))
        view = None
        if shareable and not public:
            label = self.presenter.catalog(self.lang, "share.button")
            view = self.presenter.share.under_result(self.interaction.user.id, label)
        await self.interaction.edit_original_response(
            content=reply.content,
            embeds=list(reply.embeds),
            attachments=reply.discord_files(),
            view=view,
            allowed_mentions=NO_MENTIONS,
        )

    async def show(self, embed: discord.Embed, view: discord.ui.View | None) -> None:
        """A message with its own buttons (lessons, quizzes, confirmations)."""
        kwargs: dict[str, Any] = {"view": view} if view is not None else {}
        await self.interaction.edit_original_response(
            content=None, embeds=[embed], allowed_mentions=NO_MENTIONS, **kwargs
        )


class Presenter:
    def __init__(
        self,
        catalog: Catalog,
        preferences: Preferences,
        *,
        public: bool,
        limits: Limits,
        engine_of: Callable[[Owner], str],
    ) -> None:
        self.catalog = catalog
        self.preferences = preferences
        self.public = public
        self.limits = limits
        #: The name of a student's engine for the log line ("-" when not placed).
        self.engine_of = engine_of
        #: The "Post in channel" button, bound to this presenter (the bot registers it).
        self.share = ShareButton.bind(presenter=self)
        #: Set when the bot is stopping: new commands and presses are refused.
        self.closing = False
        #: Interactions begun and not yet finished (a stopping bot waits for them).
        self.in_flight: set[int] = set()
        self._settled = asyncio.Event()
        self._settled.set()
        #: The custom ids of the forms (modals) this process has open.
        self.forms: set[str] = set()

    def language(self, interaction: discord.Interaction[Any]) -> str:
        """The student's own choice, else their Discord locale, else the default."""
        chosen = self.preferences.language(interaction.user.id)
        return chosen or self.catalog.language(interaction.locale)

    async def begin(self, interaction: discord.Interaction[Any], *, private: bool = False) -> Job:
        """Acknowledge within Discord's 3 seconds; the result follows by editing.

        ``private`` keeps the answer to the user even when results are public
        by default (teachers' views of the class)."""
        if interaction.guild_id is None:
            raise UserError("error.guild_only")
        if self.closing:
            raise ShuttingDown()
        self._begun(interaction)
        public = self.public and not private
        interaction.extras[PUBLIC] = public
        await interaction.response.defer(ephemeral=not public, thinking=True)
        return Job(
            presenter=self,
            interaction=interaction,
            lang=self.language(interaction),
            owner=Owner(guild_id=interaction.guild_id, user_id=interaction.user.id),
        )

    def error_message(self, interaction: discord.Interaction[Any], error: UserError) -> str:
        return error_text(self.catalog, self.language(interaction), error.key, error.params)

    async def private(self, interaction: discord.Interaction[Any], text: str) -> None:
        """Tell only this user, whatever state the interaction is in."""
        response = interaction.response
        if not response.is_done():
            await response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif interaction.extras.get(PUBLIC) or response.type in _UPDATES:
            if interaction.extras.get(PUBLIC):
                await interaction.delete_original_response()
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.edit_original_response(
                content=text, embeds=[], attachments=[], view=None, allowed_mentions=NO_MENTIONS
            )

    # -- the end of every interaction ----------------------------------------------------

    def explain(self, interaction: discord.Interaction[Any], error: BaseException) -> tuple[str, str]:
        """What the user reads about ``error``, and the outcome for the log.
        An error that is not the user's is logged with a short id they can quote."""
        lang = self.language(interaction)
        if isinstance(error, app_commands.CommandInvokeError):
            error = error.original
        if isinstance(error, UserError):
            return self.error_message(interaction, error), f"refused:{error.key}"
        if isinstance(error, app_commands.TransformerError):
            return self.catalog(lang, "error.bad_value", value=inline(error.value)), "refused:bad_value"
        if isinstance(error, app_commands.NoPrivateMessage):
            return self.catalog(lang, "error.guild_only"), "refused:guild_only"
        if isinstance(error, app_commands.CheckFailure):
            return self.catalog(lang, "error.not_allowed"), "refused:check"
        error_id = secrets.token_hex(4)
        log.error("Unexpected error %s in %s", error_id, command_name(interaction), exc_info=error)
        return self.catalog(lang, "error.generic", error_id=error_id), f"error:{error_id}"

    async def fail(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        """The one way an error reaches the user: privately, translated, nothing mentioned."""
        text, interaction.extras[OUTCOME] = self.explain(interaction, error)
        try:
            await self.private(interaction, text)
        except discord.HTTPException:
            log.exception("Could not tell the user about an error")

    async def handled(
        self, interaction: discord.Interaction[Any], work: Callable[[], Awaitable[None]]
    ) -> None:
        """Run ``work`` for an interaction no view or tree handles (a dynamic button):
        its errors answered by ``fail``, its end signalled."""
        self._begun(interaction)
        try:
            if self.closing:
                raise ShuttingDown()
            await work()
        except Exception as error:
            await self.fail(interaction, error)
        finally:
            self.finished(interaction)

    def _begun(self, interaction: discord.Interaction[Any]) -> None:
        self.in_flight.add(interaction.id)
        self._settled.clear()

    async def settled(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for every begun interaction to be answered;
        how many are still unanswered."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), timeout)
        return len(self.in_flight)

    def finished(self, interaction: discord.Interaction[Any]) -> None:
        """The interaction has been answered: one log line, and ``INTERACTION_DONE``."""
        self.in_flight.discard(interaction.id)
        if not self.in_flight:
            self._settled.set()
        outcome = str(interaction.extras.get(OUTCOME, "ok"))
        owner = Owner(interaction.guild_id or 0, interaction.user.id)
        log.info(
            "interaction guild=%s user=%s command=%s engine=%s outcome=%s duration=%.2fs",
            interaction.guild_id,
            interaction.user.id,
            command_name(interaction),
            self.engine_of(owner),
            outcome,
            time.time() - interaction.created_at.timestamp(),
        )
        interaction.client.dispatch(INTERACTION_DONE, interaction)

    # -- forms (modals) a restart forgot -------------------------------------------------

    async def orphan_form(self, interaction: discord.Interaction[Any]) -> None:
        """A form submitted that this process never opened (it was open while the bot
        restarted, or open longer than a form lives): nothing is saved, and what the
        user typed is given back to copy, so nothing is lost."""
        data = cast(dict[str, Any], interaction.data or {})
        typed = [value for value in _form_values(data.get("components") or []) if value.strip()]
        lang = self.language(interaction)
        text = self.catalog(lang, "error.form_expired")
        if typed:
            room = CONTENT_LIMIT - len(text) - 10
            body = "\n\n".join(typed).replace("```", "`\u200b``")[: max(0, room)]
            text += "\n```\n" + body + "\n```"
        interaction.extras[OUTCOME] = "refused:error.form_expired"
        await self.private(interaction, text)


def _form_values(components: list[Any]) -> list[str]:
    """The text a user typed in a submitted modal, field by field (rows and labels walked)."""
    found: list[str] = []
    for component in components:
        if not isinstance(component, dict):
            continue
        if isinstance(component.get("value"), str):
            found.append(component["value"])
        found += _form_values(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            found += _form_values([component["component"]])
    return found
