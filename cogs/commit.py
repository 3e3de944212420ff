"""Topic: a new image from a container (`docker commit`)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.render.cli import utcnow
from bot.services.demos import Demos
from bot.ui import replies
from bot.ui.presenter import Presenter
from cogs._images import image_autocomplete


class Commit(commands.Cog):
    def __init__(self, demos: Demos, presenter: Presenter) -> None:
        self.demos = demos
        self.presenter = presenter

    @app_commands.command(name="commit", description=describe("cmd.commit"))
    @app_commands.describe(
        name=describe("cmd.commit_name"),
        command=describe("cmd.commit_command"),
        image=describe("cmd.commit_image"),
    )
    @app_commands.autocomplete(image=image_autocomplete)
    @app_commands.guild_only()
    async def commit_image(
        self,
        interaction: discord.Interaction[LayerLabBot],
        name: str,
        command: str,
        image: str | None = None,
    ) -> None:
        job = await self.presenter.begin(interaction)
        base, result = await self.demos.commit(job.owner, name, command, image, on_wait=job.on_wait)
        reply = replies.commit_reply(
            self.presenter.catalog, job.lang, base, result, self.presenter.limits, now=utcnow()
        )
        await job.finish(reply)


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Commit(bot.demos, bot.presenter))
