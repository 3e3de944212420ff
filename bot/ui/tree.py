"""The command tree: one place that turns every failure into a reply."""

from __future__ import annotations

import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import UserError
from bot.events import INTERACTION_DONE
from bot.sandbox.models import Owner
from bot.ui.text import inline

if TYPE_CHECKING:
    from bot.client import LayerLabBot

log = logging.getLogger(__name__)


def command_name(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    return command.qualified_name if command is not None else "?"


def log_interaction(interaction: discord.Interaction[Any], outcome: str) -> None:
    elapsed = time.time() - interaction.created_at.timestamp()
    fleet = getattr(interaction.client, "fleet", None)
    placed = fleet.placed(Owner(interaction.guild_id or 0, interaction.user.id)) if fleet else None
    engine = placed.name if placed is not None else "-"
    log.info(
        "interaction guild=%s user=%s command=%s engine=%s outcome=%s duration=%.2fs",
        interaction.guild_id,
        interaction.user.id,
        command_name(interaction),
        engine,
        outcome,
        elapsed,
    )


class LayerLabTree(app_commands.CommandTree["LayerLabBot"]):
    async def on_error(
        self, interaction: discord.Interaction[LayerLabBot], error: app_commands.AppCommandError
    ) -> None:
        presenter = self.client.presenter
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        lang = presenter.language(interaction)
        if isinstance(original, UserError):
            text = presenter.error_message(interaction, original)
            outcome = f"refused:{original.key}"
        elif isinstance(original, app_commands.TransformerError):
            text = presenter.catalog(lang, "error.bad_value", value=inline(original.value))
            outcome = "refused:bad_value"
        elif isinstance(original, app_commands.NoPrivateMessage):
            text = presenter.catalog(lang, "error.guild_only")
            outcome = "refused:guild_only"
        elif isinstance(original, app_commands.CheckFailure):
            text = presenter.catalog(lang, "error.not_allowed")
            outcome = "refused:check"
        else:
            error_id = secrets.token_hex(4)
            log.error("Unexpected error %s in /%s", error_id, command_name(interaction), exc_info=original)
            text = presenter.catalog(lang, "error.generic", error_id=error_id)
            outcome = f"error:{error_id}"
        try:
            await presenter.private(interaction, text)
        except discord.HTTPException:
            log.exception("Could not tell the user about an error")
        finally:
            log_interaction(interaction, outcome)
            self.client.dispatch(INTERACTION_DONE, interaction)
