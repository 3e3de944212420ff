"""Topic: data stays when a container stops (`/lab`: each student's own lab container)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.clock import utcnow
from bot.i18n import describe
from bot.services.demos import Demos
from bot.services.labs import Labs
from bot.ui import lab_replies
from bot.ui.presenter import Presenter
from cogs._images import ImageChoices


@app_commands.guild_only()
class Lab(ImageChoices, commands.GroupCog, group_name="lab", group_description=describe("cmd.lab")):
    topic = "host_storage"

    def __init__(self, labs: Labs, demos: Demos, presenter: Presenter) -> None:
        self.labs = labs
        self.demos = demos
        self.presenter = presenter
        super().__init__()

    @app_commands.command(name="run", description=describe("cmd.lab_run"))
    @app_commands.describe(command=describe("cmd.lab_run_command"), image=describe("cmd.lab_run_image"))
    @app_commands.autocomplete(image=ImageChoices.image_autocomplete)
    async def lab_run(
        self, interaction: discord.Interaction[LayerLabBot], command: str, image: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction)
        name = interaction.user.display_name
        run = await self.labs.run(job.owner, name, command, image, on_wait=job.on_wait)
        await job.finish(lab_replies.run_reply(self.presenter.catalog, job.lang, run, self.presenter.limits))

    @app_commands.command(name="diff", description=describe("cmd.lab_diff"))
    async def lab_diff(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        lab, changes = await self.labs.diff(job.owner)
        await job.finish(lab_replies.diff_reply(self.presenter.catalog, job.lang, lab, changes))

    @app_commands.command(name="stop", description=describe("cmd.lab_stop"))
    async def lab_stop(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        lab = await self.labs.stop(job.owner)
        await job.finish(lab_replies.state_reply(self.presenter.catalog, job.lang, "stop", lab, now=utcnow()))

    @app_commands.command(name="start", description=describe("cmd.lab_start"))
    async def lab_start(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        lab = await self.labs.start(job.owner)
        await job.finish(
            lab_replies.state_reply(self.presenter.catalog, job.lang, "start", lab, now=utcnow())
        )

    @app_commands.command(name="rm", description=describe("cmd.lab_rm"))
    async def lab_rm(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        lab = await self.labs.remove(job.owner)
        await job.finish(lab_replies.state_reply(self.presenter.catalog, job.lang, "rm", lab, now=utcnow()))

    @app_commands.command(name="ps", description=describe("cmd.lab_ps"))
    async def lab_ps(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        status = await self.labs.status(job.owner)
        await job.finish(lab_replies.ps_reply(self.presenter.catalog, job.lang, status, now=utcnow()))

    @app_commands.command(name="commit", description=describe("cmd.lab_commit"))
    @app_commands.describe(name=describe("cmd.lab_commit_name"))
    async def lab_commit(self, interaction: discord.Interaction[LayerLabBot], name: str) -> None:
        job = await self.presenter.begin(interaction)
        result = await self.labs.commit(job.owner, name)
        reply = lab_replies.commit_lab_reply(
            self.presenter.catalog, job.lang, result.run.image, result, now=utcnow()
        )
        await job.finish(reply)

    @app_commands.command(name="inspect", description=describe("cmd.lab_inspect"))
    async def lab_inspect(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        lab, view = await self.labs.inspect(job.owner)
        await job.finish(lab_replies.inspect_reply(self.presenter.catalog, job.lang, lab, view))

    @app_commands.command(name="host", description=describe("cmd.lab_host"))
    async def lab_host(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        lab, view = await self.labs.host(job.owner)
        await job.finish(lab_replies.host_reply(self.presenter.catalog, job.lang, lab, view))


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Lab(bot.labs, bot.demos, bot.presenter))
