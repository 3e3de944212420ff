"""Topic: the Docker host itself (`docker info`)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.ui import replies
from cogs._base import TopicCog


class Engine(TopicCog):
    topic = "info"

    @app_commands.command(name="info", description=describe("cmd.info"))
    @app_commands.guild_only()
    async def info_show(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        info = await self.demos.info(job.owner)
        await job.finish(replies.info_reply(self.presenter.catalog, job.lang, info))


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Engine(bot.demos, bot.presenter))
