"""/exercise: students read and check exercises; teachers create, post and close them.

Discord sets permissions per top-level command, so the teachers' subcommands
(create, edit, post, close) are visible to students too; each is refused at
run time. The teachers' overview is /class (cogs/classroom.py).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.errors import UserError
from bot.i18n import describe
from bot.services.exercises import Exercises
from bot.ui import exercise_replies as replies
from bot.ui.exercise_views import ExerciseModal, StartButton, post_exercise
from bot.ui.permissions import require_teacher
from bot.ui.presenter import Presenter
from bot.ui.replies import Reply
from cogs._base import MAX_CHOICES


@app_commands.guild_only()
class ExerciseCog(commands.GroupCog, group_name="exercise", group_description=describe("cmd.exercise")):
    def __init__(
        self, exercises: Exercises, presenter: Presenter, teacher_role: str, start_button: type[StartButton]
    ) -> None:
        self.exercises = exercises
        self.presenter = presenter
        self.teacher_role = teacher_role
        self.start_button = start_button
        super().__init__()

    def _form(
        self, interaction: discord.Interaction[LayerLabBot], *args: str, **values: str
    ) -> ExerciseModal:
        require_teacher(interaction, self.teacher_role)
        lang = self.presenter.language(interaction)
        return ExerciseModal(self.exercises, self.presenter, self.teacher_role, lang, *args, **values)

    @property
    def zone(self) -> ZoneInfo:
        return self.exercises.zone

    async def exercise_autocomplete(
        self, interaction: discord.Interaction[LayerLabBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        lang = self.presenter.language(interaction)
        items = await self.exercises.all(interaction.guild_id, lang)
        wanted = current.lower()
        return [
            app_commands.Choice(name=f"{e.id}: {e.title}"[:100], value=e.id)
            for e in items
            if wanted in e.id or wanted in e.title.lower()
        ][:MAX_CHOICES]

    @app_commands.command(name="list", description=describe("cmd.exercise_list"))
    async def exercise_list(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        items = await self.exercises.all(job.owner.guild_id, job.lang)
        status = await self.exercises.status(job.owner)
        await job.finish(
            replies.list_reply(self.presenter.catalog, job.lang, items, status, self.zone), shareable=False
        )

    @app_commands.command(name="show", description=describe("cmd.exercise_show"))
    @app_commands.describe(id=describe("cmd.exercise_id"))
    @app_commands.autocomplete(id=exercise_autocomplete)
    async def exercise_show(self, interaction: discord.Interaction[LayerLabBot], id: str) -> None:
        job = await self.presenter.begin(interaction, private=True)
        exercise = await self.exercises.get(job.owner.guild_id, id, job.lang)
        await job.finish(
            replies.show_reply(self.presenter.catalog, job.lang, exercise, self.zone), shareable=False
        )

    @app_commands.command(name="check", description=describe("cmd.exercise_check"))
    @app_commands.describe(id=describe("cmd.exercise_id"), answer=describe("cmd.exercise_answer"))
    @app_commands.autocomplete(id=exercise_autocomplete)
    async def exercise_check(
        self, interaction: discord.Interaction[LayerLabBot], id: str, answer: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        report = await self.exercises.check(job.owner, interaction.user.display_name, id, job.lang, answer)
        await job.finish(replies.check_reply(self.presenter.catalog, job.lang, report))

    @app_commands.command(name="hint", description=describe("cmd.exercise_hint"))
    @app_commands.describe(id=describe("cmd.exercise_id"))
    @app_commands.autocomplete(id=exercise_autocomplete)
    async def exercise_hint(self, interaction: discord.Interaction[LayerLabBot], id: str) -> None:
        job = await self.presenter.begin(interaction, private=True)
        exercise = await self.exercises.get(job.owner.guild_id, id, job.lang)
        await job.finish(replies.hint_reply(self.presenter.catalog, job.lang, exercise), shareable=False)

    @app_commands.command(name="create", description=describe("cmd.exercise_create"))
    async def exercise_create(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        await interaction.response.send_modal(self._form(interaction))

    @app_commands.command(name="edit", description=describe("cmd.exercise_edit"))
    @app_commands.describe(id=describe("cmd.exercise_id"))
    @app_commands.autocomplete(id=exercise_autocomplete)
    async def exercise_edit(self, interaction: discord.Interaction[LayerLabBot], id: str) -> None:
        require_teacher(interaction, self.teacher_role)
        assert interaction.guild_id is not None
        current = await self.exercises.get(interaction.guild_id, id, self.presenter.language(interaction))
        if current.builtin:
            raise UserError("exercise.builtin", id=current.id)
        modal = self._form(
            interaction,
            current.id,
            title=current.title,
            instructions=current.instructions,
            checks=current.checks_text,
            hints="\n".join(current.hints),
        )
        await interaction.response.send_modal(modal)

    @app_commands.command(name="post", description=describe("cmd.exercise_post"))
    @app_commands.describe(
        id=describe("cmd.exercise_id"),
        channel=describe("cmd.exercise_channel"),
        deadline=describe("cmd.exercise_deadline"),
    )
    @app_commands.autocomplete(id=exercise_autocomplete)
    async def exercise_post(
        self,
        interaction: discord.Interaction[LayerLabBot],
        id: str,
        channel: discord.TextChannel | None = None,
        deadline: str | None = None,
    ) -> None:
        require_teacher(interaction, self.teacher_role)
        job = await self.presenter.begin(interaction, private=True)
        target = channel or interaction.channel
        if not isinstance(target, discord.TextChannel | discord.Thread):
            raise UserError("exercise.no_channel")
        exercise = await self.exercises.post(
            job.owner.guild_id, id, channel_id=target.id, deadline=deadline, lang=job.lang
        )
        t = self.presenter.catalog
        message = await post_exercise(target, exercise, self.start_button, t, job.lang, self.zone)
        await self.exercises.posted(job.owner.guild_id, exercise.id, message.id)
        text = self.presenter.catalog(job.lang, "exercise.posted", id=exercise.id)
        await job.finish(Reply(content=text), shareable=False)

    @app_commands.command(name="close", description=describe("cmd.exercise_close"))
    @app_commands.describe(id=describe("cmd.exercise_id"))
    @app_commands.autocomplete(id=exercise_autocomplete)
    async def exercise_close(self, interaction: discord.Interaction[LayerLabBot], id: str) -> None:
        require_teacher(interaction, self.teacher_role)
        job = await self.presenter.begin(interaction, private=True)
        exercise = await self.exercises.close(job.owner.guild_id, id, job.lang)
        text = self.presenter.catalog(job.lang, "exercise.closed_done", id=exercise.id)
        await job.finish(Reply(content=text), shareable=False)


async def setup(bot: LayerLabBot) -> None:
    start_button = StartButton.bind(exercises=bot.exercises, labs=bot.labs, presenter=bot.presenter)
    bot.add_controls(start_button)
    await bot.add_cog(ExerciseCog(bot.exercises, bot.presenter, bot.settings.teacher_role, start_button))
