"""Teacher tools: every lab container in the course server, removing them, and
the state of the lab engines."""

from __future__ import annotations

import time
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.client import LayerLabBot
from bot.clock import utcnow
from bot.i18n import describe
from bot.services.fleet import Fleet
from bot.services.labs import Labs
from bot.settings import Settings
from bot.ui import lab_replies, status_replies
from bot.ui.permissions import is_teacher
from bot.ui.presenter import Presenter


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(commands.GroupCog, group_name="admin", group_description=describe("cmd.admin")):
    def __init__(
        self, labs: Labs, fleet: Fleet, presenter: Presenter, settings: Settings, started_at: float
    ) -> None:
        self.labs = labs
        self.fleet = fleet
        self.presenter = presenter
        self.settings = settings
        self.started_at = started_at
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[LayerLabBot]) -> bool:  # type: ignore[override]
        return is_teacher(interaction, self.settings.teacher_role)

    @app_commands.command(name="labs", description=describe("cmd.admin_labs"))
    async def admin_labs(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        labs = await self.labs.in_guild(job.owner.guild_id)
        reply = lab_replies.class_labs_reply(
            self.presenter.catalog,
            job.lang,
            labs,
            now=utcnow(),
            stop_minutes=self.settings.lab_stop_minutes,
            remove_hours=self.settings.lab_remove_hours,
            several_engines=len(self.fleet.engines) > 1,
        )
        await job.finish(reply, shareable=False)

    @app_commands.command(name="reap", description=describe("cmd.admin_reap"))
    @app_commands.describe(student=describe("cmd.admin_reap_student"))
    async def admin_reap(
        self, interaction: discord.Interaction[LayerLabBot], student: discord.User | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        reaped = await self.labs.reap(job.owner.guild_id, student.id if student else None)
        await job.finish(lab_replies.reap_reply(self.presenter.catalog, job.lang, reaped), shareable=False)

    @app_commands.command(name="status", description=describe("cmd.admin_status"))
    async def admin_status(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        reply = status_replies.status_reply(
            self.presenter.catalog,
            job.lang,
            await self.fleet.report(),
            version=__version__,
            uptime=timedelta(seconds=time.time() - self.started_at),
        )
        await job.finish(reply, shareable=False)


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Admin(bot.labs, bot.fleet, bot.presenter, bot.settings, bot.started_at))
