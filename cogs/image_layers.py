"""Topic: image layers on a union filesystem (`docker images`, `docker rmi`)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import LayerLabBot
from bot.clock import utcnow
from bot.i18n import describe
from bot.ui import replies
from cogs._base import TopicCog


class ImageLayers(TopicCog):
    topic = "image_layers"

    @app_commands.command(name="images", description=describe("cmd.images"))
    @app_commands.guild_only()
    async def images_list(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        overview = await self.demos.images(job.owner)
        await job.finish(replies.images_reply(self.presenter.catalog, job.lang, overview, now=utcnow()))

    @app_commands.command(name="rmi", description=describe("cmd.rmi"))
    @app_commands.describe(name=describe("cmd.rmi_name"))
    @app_commands.guild_only()
    async def rmi_remove(self, interaction: discord.Interaction[LayerLabBot], name: str) -> None:
        job = await self.presenter.begin(interaction)
        result = await self.demos.remove_image(job.owner, name)
        await job.finish(replies.rmi_reply(self.presenter.catalog, job.lang, name, result))


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(ImageLayers(bot.demos, bot.presenter))
