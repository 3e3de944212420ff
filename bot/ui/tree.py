"""The command tree: a failed command is answered by the presenter's one error path."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.client import LayerLabBot


class LayerLabTree(app_commands.CommandTree["LayerLabBot"]):
    async def on_error(
        self, interaction: discord.Interaction[LayerLabBot], error: app_commands.AppCommandError
    ) -> None:
        presenter = self.client.presenter
        try:
            await presenter.fail(interaction, error)
        finally:
            presenter.finished(interaction)
