"""/settings language: a student's own choice of language, over the Discord locale."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.services.preferences import Preferences
from bot.ui.presenter import NO_MENTIONS, Presenter

AUTOMATIC = "auto"


@app_commands.guild_only()
class Settings(commands.GroupCog, group_name="settings", group_description=describe("cmd.settings")):
    def __init__(self, preferences: Preferences, presenter: Presenter) -> None:
        self.preferences = preferences
        self.presenter = presenter
        super().__init__()

    @app_commands.command(name="language", description=describe("cmd.settings_language"))
    @app_commands.describe(language=describe("cmd.settings_language_choice"))
    @app_commands.choices(
        language=[
            app_commands.Choice(name="Nederlands", value="nl"),
            app_commands.Choice(name="English", value="en"),
            app_commands.Choice(name="Discord (automatic / automatisch)", value=AUTOMATIC),
        ]
    )
    async def settings_language(
        self, interaction: discord.Interaction[LayerLabBot], language: app_commands.Choice[str]
    ) -> None:
        chosen = None if language.value == AUTOMATIC else language.value
        await self.preferences.set_language(interaction.user.id, chosen)
        lang = self.presenter.language(interaction)
        key = "settings.language_auto" if chosen is None else "settings.language_set"
        text = self.presenter.catalog(lang, key, language=language.name)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Settings(bot.presenter.preferences, bot.presenter))
