"""Topic: the Docker host itself (`docker info`)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.services.demos import Demos
from bot.ui import replies
from bot.ui.presenter import Presenter


class Engine(commands.Cog):
    def __init__(self, demos: Demos, presenter: Presenter) -> None:
        self.demos = demos
        self.presenter = presenter

    @app_commands.command(name="info", description=describe("cmd.info"))
    @app_commands.guild_only()
    async def info_show(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        info = await self.demos.info(job.owner)
        await job.finish(replies.info_reply(self.presenter.catalog, job.lang, info))


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Engine(bot.demos, bot.presenter))
