"""Shared by the cogs with an image option: image-name autocompletion."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.errors import UserError
from bot.sandbox.models import Owner
from bot.services.demos import Demos
from cogs._base import MAX_CHOICES


class ImageChoices(commands.Cog):
    """A cog mixin: offers the student's own images, then the base images.
    discord.py calls the autocomplete with the cog as ``self``."""

    demos: Demos

    async def image_autocomplete(
        self, interaction: discord.Interaction[LayerLabBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        owner = Owner(guild_id=interaction.guild_id, user_id=interaction.user.id)
        try:
            names = await self.demos.image_names(owner)
        except UserError:
            return []
        current = current.lower()
        return [app_commands.Choice(name=n, value=n) for n in names if current in n][:MAX_CHOICES]
