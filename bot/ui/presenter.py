"""How every command answers: acknowledge at once, show queue and result, fail politely."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import Catalog
from bot.sandbox.limits import Limits
from bot.sandbox.models import Owner
from bot.services.preferences import Preferences
from bot.ui.replies import Reply, error_text
from bot.ui.views import ShareView

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
#: ``interaction.extras`` key: whether the deferred answer is visible to everyone.
PUBLIC = "layerlab.public"


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
            view = ShareView(
                reply=reply,
                author_id=self.interaction.user.id,
                catalog=self.presenter.catalog,
                lang=self.lang,
            )
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
    def __init__(self, catalog: Catalog, preferences: Preferences, *, public: bool, limits: Limits) -> None:
        self.catalog = catalog
        self.preferences = preferences
        self.public = public
        self.limits = limits

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
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif interaction.extras.get(PUBLIC):
            await interaction.delete_original_response()
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.edit_original_response(
                content=text, embeds=[], attachments=[], view=None, allowed_mentions=NO_MENTIONS
            )
