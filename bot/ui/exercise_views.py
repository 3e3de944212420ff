"""The teacher's exercise form (a modal) and the Start button under a posted exercise."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import discord

from bot.errors import UserError
from bot.exercises import Exercise
from bot.i18n import Catalog
from bot.sandbox.models import Owner
from bot.services.exercises import Exercises
from bot.services.labs import Labs
from bot.ui import exercise_replies as replies
from bot.ui.base import LayerLabModal
from bot.ui.controls import Control
from bot.ui.permissions import require_teacher
from bot.ui.presenter import NO_MENTIONS, Presenter


class ExerciseModal(LayerLabModal):
    """Title, instructions, checks and hints of a teacher's exercise."""

    def __init__(
        self,
        exercises: Exercises,
        presenter: Presenter,
        teacher_role: str,
        lang: str,
        exercise_id: str | None = None,
        **values: str,
    ) -> None:
        t = presenter.catalog
        super().__init__(
            presenter,
            title=t(lang, "exercise.modal_title")[:45],
            custom_id=f"layerlab:exercise-form:{exercise_id or ''}",
        )
        self.exercises, self.teacher_role = exercises, teacher_role
        self.lang, self.exercise_id = lang, exercise_id
        self.name: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(lang, "exercise.field_title"),
            max_length=100,
            default=values.get("title"),
            custom_id="title",
        )
        self.instructions: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(lang, "exercise.field_instructions"),
            style=discord.TextStyle.paragraph,
            max_length=3500,
            default=values.get("instructions"),
            custom_id="instructions",
        )
        self.checks: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(lang, "exercise.field_checks"),
            style=discord.TextStyle.paragraph,
            max_length=4000,
            default=values.get("checks"),
            placeholder="image myubuntu -- hint",
            custom_id="checks",
        )
        self.hints: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(lang, "exercise.field_hints"),
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=2000,
            default=values.get("hints"),
            custom_id="hints",
        )
        for item in (self.name, self.instructions, self.checks, self.hints):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        t = self.presenter.catalog
        assert interaction.guild_id is not None
        try:
            require_teacher(interaction, self.teacher_role)
            saved = await self.exercises.save(
                interaction.guild_id,
                interaction.user.id,
                title=self.name.value,
                instructions=self.instructions.value,
                checks=self.checks.value,
                hints=self.hints.value,
                exercise_id=self.exercise_id,
            )
            text = t(self.lang, "exercise.saved", id=saved.id)
        except UserError as exc:
            # Refused before saving: say what is wrong, and give the checks back to copy.
            text = (
                self.presenter.error_message(interaction, exc)
                + "\n```\n"
                + self.checks.value[:1500]
                + "\n```"
            )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class StartButton(Control, template=r"layerlab:start:(?P<id>[a-z0-9_-]+)"):
    """The Start button under a posted exercise; works after a restart too (the
    exercise is in its custom id; a deleted exercise gets ``exercise.unknown``)."""

    exercises: ClassVar[Exercises]
    labs: ClassVar[Labs]

    def __init__(self, exercise_id: str, label: str = "Start") -> None:
        super().__init__(
            self.button(f"layerlab:start:{exercise_id}", label, style=discord.ButtonStyle.success)
        )
        self.exercise_id = exercise_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StartButton:
        return cls(match["id"])

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        await self._start(interaction)

    async def _start(self, interaction: discord.Interaction[Any]) -> None:
        t = self.presenter.catalog
        lang = self.presenter.language(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.guild_id is not None
        owner = Owner(interaction.guild_id, interaction.user.id)
        exercise = await self.exercises.get(owner.guild_id, self.exercise_id, lang)
        await self.labs.ensure(owner, interaction.user.display_name)
        embed = replies.exercise_embed(t, lang, exercise, self.exercises.zone)
        embed.set_footer(text=t(lang, "exercise.lab_ready", id=exercise.id))
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def post_exercise(
    target: discord.abc.Messageable,
    exercise: Exercise,
    button: type[StartButton],
    t: Catalog,
    lang: str,
    zone: ZoneInfo,
) -> discord.Message:
    """The exercise for everyone in the channel, with its Start button (``button``:
    the bot's bound ``StartButton``)."""
    view = discord.ui.View(timeout=None)
    view.add_item(button(exercise.id, t(lang, "exercise.start")))
    return await target.send(
        embed=replies.exercise_embed(t, lang, exercise, zone), view=view, allowed_mentions=NO_MENTIONS
    )
