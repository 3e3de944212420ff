"""/class: the teachers' view of the class (hidden from students, checked at run time):
progress on the exercises, who is stuck, predictions made by the whole class, and
the misconceptions that quizzes and predictions show."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.services.exercises import Exercises
from bot.services.learning import Learning
from bot.services.predictions import ClassPredictions
from bot.ui import exercise_replies as replies
from bot.ui import predictions as predict_views
from bot.ui.permissions import is_teacher
from bot.ui.presenter import Presenter
from bot.ui.replies import Reply
from bot.ui.tryit import TryIt
from cogs._base import MAX_CHOICES


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ClassCog(commands.GroupCog, group_name="class", group_description=describe("cmd.class")):
    def __init__(
        self,
        exercises: Exercises,
        presenter: Presenter,
        teacher_role: str,
        predictions: ClassPredictions,
        learning: Learning,
        tryit: TryIt,
        predict_button: type[predict_views.PredictButton],
    ) -> None:
        self.exercises = exercises
        self.presenter = presenter
        self.teacher_role = teacher_role
        self.predictions = predictions
        self.learning = learning
        self.tryit = tryit
        self.predict_button = predict_button
        super().__init__()

    async def topic_autocomplete(
        self, interaction: discord.Interaction[LayerLabBot], current: str
    ) -> list[app_commands.Choice[str]]:
        lang = self.presenter.language(interaction)
        return [
            app_commands.Choice(name=f"{n}. {title}"[:100], value=topic)
            for n, (topic, title) in enumerate(self.learning.topics(lang), start=1)
            if current.lower() in title.lower() or current.lower() in topic
        ][:MAX_CHOICES]

    async def question_autocomplete(
        self, interaction: discord.Interaction[LayerLabBot], current: str
    ) -> list[app_commands.Choice[str]]:
        lang = self.presenter.language(interaction)
        topic = self.learning.find_topic(str(getattr(interaction.namespace, "topic", "") or ""))
        if topic is None:
            return []
        return [
            app_commands.Choice(name=text[:100], value=key)
            for key, text in self.predictions.choices(topic, lang)
            if current.lower() in text.lower() or current.lower() in key
        ][:MAX_CHOICES]

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

    @app_commands.command(name="predict", description=describe("cmd.class_predict"))
    @app_commands.describe(topic=describe("cmd.class_topic"), question=describe("cmd.class_question"))
    @app_commands.autocomplete(topic=topic_autocomplete, question=question_autocomplete)
    async def class_predict(
        self, interaction: discord.Interaction[LayerLabBot], topic: str, question: str
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        posted = await self.predictions.post(
            job.owner, interaction.channel_id or 0, topic, question, job.lang
        )
        t = self.presenter.catalog
        embed = predict_views.prediction_embed(t, job.lang, posted.lesson, posted.index)
        buttons = self.predict_button.answers(posted.prediction_id, posted.lesson, posted.index)
        message_id: int | None = None
        try:
            message_id = await predict_views.post_in_channel(interaction, Reply("", (embed,)), buttons)
        finally:  # a prediction that could not be posted is dropped
            await self.predictions.posted(posted.prediction_id, message_id)
        await job.finish(Reply(content=t(job.lang, "predict.posted")), shareable=False)

    @app_commands.command(name="reveal", description=describe("cmd.class_reveal"))
    async def class_reveal(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        revealed = await self.predictions.reveal(job.owner, interaction.channel_id or 0)
        await predict_views.close_prediction(interaction, self.predict_button, revealed)
        reply = await predict_views.live_reveal(self.tryit, self.presenter, interaction, revealed)
        t = self.presenter.catalog
        answer = await predict_views.publish_reveal(t, job.lang, interaction, reply, revealed)
        await job.finish(answer, shareable=False)

    @app_commands.command(name="misconceptions", description=describe("cmd.class_misconceptions"))
    @app_commands.describe(topic=describe("cmd.class_topic"))
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def class_misconceptions(
        self, interaction: discord.Interaction[LayerLabBot], topic: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        found = await self.predictions.misconceptions(job.owner.guild_id, job.lang, topic)
        reply = predict_views.misconceptions_reply(self.presenter.catalog, job.lang, found)
        await job.finish(reply, shareable=False)


async def setup(bot: LayerLabBot) -> None:
    predict_button = predict_views.PredictButton.bind(presenter=bot.presenter, predictions=bot.predictions)
    bot.add_controls(predict_button)
    await bot.add_cog(
        ClassCog(
            bot.exercises,
            bot.presenter,
            bot.settings.teacher_role,
            bot.predictions,
            bot.learning,
            bot.tryit,
            predict_button,
        )
    )
