"""/class: the teachers' view of the exercises (hidden from students, checked at run time)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.services.exercises import Exercises
from bot.ui import exercise_replies as replies
from bot.ui.permissions import is_teacher
from bot.ui.presenter import Presenter


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ClassCog(commands.GroupCog, group_name="class", group_description=describe("cmd.class")):
    def __init__(self, exercises: Exercises, presenter: Presenter, teacher_role: str) -> None:
        self.exercises = exercises
        self.presenter = presenter
        self.teacher_role = teacher_role
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[LayerLabBot]) -> bool:  # type: ignore[override]
        return is_teacher(interaction, self.teacher_role)

    @app_commands.command(name="progress", description=describe("cmd.class_progress"))
    @app_commands.describe(exercise=describe("cmd.class_exercise"))
    async def class_progress(
        self, interaction: discord.Interaction[LayerLabBot], exercise: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        rows = await self.exercises.class_rows(
            job.owner.guild_id, exercise.strip().lower() if exercise else None
        )
        await job.finish(
            replies.class_reply(self.presenter.catalog, job.lang, rows, self.exercises.zone), shareable=False
        )

    @app_commands.command(name="stuck", description=describe("cmd.class_stuck"))
    async def class_stuck(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        stuck = await self.exercises.stuck(job.owner.guild_id)
        await job.finish(replies.stuck_reply(self.presenter.catalog, job.lang, stuck), shareable=False)


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(ClassCog(bot.exercises, bot.presenter, bot.settings.teacher_role))
