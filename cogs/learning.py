"""/learn, /quiz and /progress, over every topic of the course."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.errors import UserError
from bot.i18n import describe
from bot.lessons import COURSE
from bot.sandbox.models import Owner
from bot.services.exercises import Exercises
from bot.services.learning import Learning
from bot.ui import learning as views
from bot.ui.permissions import is_teacher
from bot.ui.presenter import Presenter
from cogs._base import MAX_CHOICES


class Course(commands.Cog):
    def __init__(
        self,
        learning: Learning,
        exercises: Exercises,
        presenter: Presenter,
        teacher_role: str,
        controls: tuple[type[views.LessonButton], type[views.QuizButton]],
    ) -> None:
        self.learning = learning
        self.exercises = exercises
        self.presenter = presenter
        self.teacher_role = teacher_role
        self.lesson_button, self.quiz_button = controls

    async def topic_autocomplete(
        self, interaction: discord.Interaction[LayerLabBot], current: str
    ) -> list[app_commands.Choice[str]]:
        lang = self.presenter.language(interaction)
        wanted = current.lower()
        return [
            app_commands.Choice(name=f"{n}. {title}"[:100], value=topic)
            for n, (topic, title) in enumerate(self.learning.topics(lang), start=1)
            if wanted in title.lower() or wanted in topic
        ][:MAX_CHOICES]

    def _topic(self, text: str) -> str:
        topic = self.learning.find_topic(text)
        if topic is None:
            raise UserError("learn.no_topic", topic=text)
        return topic

    @app_commands.command(name="learn", description=describe("cmd.learn"))
    @app_commands.describe(topic=describe("cmd.learn_topic"))
    @app_commands.autocomplete(topic=topic_autocomplete)
    @app_commands.guild_only()
    async def learn_show(
        self, interaction: discord.Interaction[LayerLabBot], topic: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        t = self.presenter.catalog
        if topic is None:
            progress = await self.learning.progress(job.owner, job.lang)
            await job.show(views.topics_embed(t, job.lang, progress, t(job.lang, "learn.title")), None)
            return
        lesson = self.learning.lesson(self._topic(topic), job.lang)
        await self.learning.page_read(job.owner, lesson.topic, 0)
        view = self.lesson_button.under_page(t, job.lang, job.owner.user_id, lesson, 0)
        await job.show(views.page_embed(t, job.lang, lesson, 0), view)

    @app_commands.command(name="quiz", description=describe("cmd.quiz"))
    @app_commands.describe(topic=describe("cmd.quiz_topic"))
    @app_commands.autocomplete(topic=topic_autocomplete)
    @app_commands.guild_only()
    async def quiz_start(
        self, interaction: discord.Interaction[LayerLabBot], topic: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        if topic is None:  # the first topic not yet answered in full
            progress = await self.learning.progress(job.owner, job.lang)
            chosen = next((p.topic for p in progress if (p.quiz_best or 0) < p.quiz_total), COURSE[0])
        else:
            chosen = self._topic(topic)
        lesson = self.learning.lesson(chosen, job.lang)
        quiz = await self.learning.start_quiz(job.owner, chosen)
        t = self.presenter.catalog
        await job.show(views.quiz_embed(t, job.lang, lesson, 0), self.quiz_button.answers(quiz.id, lesson, 0))

    @app_commands.command(name="progress", description=describe("cmd.progress"))
    @app_commands.describe(user=describe("cmd.progress_user"))
    @app_commands.guild_only()
    async def progress_show(
        self, interaction: discord.Interaction[LayerLabBot], user: discord.User | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        t = self.presenter.catalog
        whose = job.owner
        title = t(job.lang, "progress.title")
        if user is not None and user.id != interaction.user.id:
            if not is_teacher(interaction, self.teacher_role):
                raise UserError("error.not_allowed")
            whose = Owner(guild_id=job.owner.guild_id, user_id=user.id)
            name = discord.utils.escape_markdown(discord.utils.escape_mentions(user.display_name))
            title = t(job.lang, "progress.title_of", name=name)
        progress = await self.learning.progress(whose, job.lang)
        embed = views.topics_embed(t, job.lang, progress, title)
        status = await self.exercises.status(whose)
        total = len(await self.exercises.ids(whose.guild_id))
        passed = sum(1 for s in status.values() if s.passed_at)
        views.add_exercises_field(t, job.lang, embed, passed, total)
        await job.show(embed, None)


async def setup(bot: LayerLabBot) -> None:
    services = {"presenter": bot.presenter, "learning": bot.learning, "tryit": bot.tryit}
    lesson_button = views.LessonButton.bind(**services)
    quiz_button = views.QuizButton.bind(**services)
    bot.add_controls(lesson_button, quiz_button)
    await bot.add_cog(
        Course(
            bot.learning,
            bot.exercises,
            bot.presenter,
            bot.settings.teacher_role,
            (lesson_button, quiz_button),
        )
    )
