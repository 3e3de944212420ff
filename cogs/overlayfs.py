"""Topic: OverlayFS (lowerdir, upperdir, workdir, merged, copy-up, whiteouts), and
``/overlay``: each student's playground, where they mount overlays themselves."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.services.playground import Playground
from bot.ui import playground_replies
from bot.ui.presenter import Presenter


@app_commands.guild_only()
class OverlayFS(commands.GroupCog, group_name="overlay", group_description=describe("cmd.overlay")):
    topic = "overlayfs"

    def __init__(self, playground: Playground, presenter: Presenter, idle_minutes: float) -> None:
        self.playground = playground
        self.presenter = presenter
        self.idle_minutes = idle_minutes
        super().__init__()

    @app_commands.command(name="run", description=describe("cmd.overlay_run"))
    @app_commands.describe(command=describe("cmd.overlay_run_command"))
    async def overlay_run(self, interaction: discord.Interaction[LayerLabBot], command: str) -> None:
        job = await self.presenter.begin(interaction)
        run = await self.playground.run(job.owner, command, on_wait=job.on_wait)
        t, limits = self.presenter.catalog, self.presenter.limits
        await job.finish(playground_replies.run_reply(t, job.lang, run, limits, self.idle_minutes))

    @app_commands.command(name="show", description=describe("cmd.overlay_show"))
    @app_commands.describe(path=describe("cmd.overlay_show_path"))
    async def overlay_show(
        self, interaction: discord.Interaction[LayerLabBot], path: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction)
        views, under = await self.playground.show(job.owner, path)
        await job.finish(playground_replies.show_reply(self.presenter.catalog, job.lang, views, under))

    @app_commands.command(name="reset", description=describe("cmd.overlay_reset"))
    async def overlay_reset(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        removed = await self.playground.reset(job.owner)
        await job.finish(
            playground_replies.reset_reply(self.presenter.catalog, job.lang, removed), shareable=False
        )


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(OverlayFS(bot.playground, bot.presenter, bot.settings.lab_stop_minutes))
