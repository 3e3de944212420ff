"""Lesson pages, quizzes and progress: embeds and the buttons that turn them.

The buttons are ``Control``s (``bot.ui.controls``): a lesson button carries its
student, topic and page; a quiz button carries the id of the quiz's row in
SQLite (``quiz_sessions``), which knows the question on screen, whether it was
answered and the score. Both work after a restart of the bot, for as long as
the student likes; a page or quiz that is gone gets a clear answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import discord

from bot.errors import UserError
from bot.i18n import Catalog
from bot.lessons import Lesson
from bot.sandbox.models import Owner
from bot.services.learning import Learning, QuizSession, TopicProgress
from bot.ui.controls import Control
from bot.ui.replies import EMBED_COLOUR, make_embed, send_followup
from bot.ui.tryit import TryIt

log = logging.getLogger(__name__)

BAR_WIDTH = 10
LETTERS = "ABCDEFGH"
GOOD, BAD = "✅", "❌"


def bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def page_embed(t: Catalog, lang: str, lesson: Lesson, index: int) -> discord.Embed:
    page = lesson.pages[index]
    embed = make_embed(f"{lesson.title} · {index + 1}/{len(lesson.pages)}", f"**{page.title}**\n{page.text}")
    if page.commands:
        embed.set_footer(text=t(lang, "learn.see_also", commands=", ".join(page.commands)))
    return embed


def topics_embed(t: Catalog, lang: str, progress: Sequence[TopicProgress], title: str) -> discord.Embed:
    embed = make_embed(title, t(lang, "learn.pick"))
    for number, topic in enumerate(progress, start=1):
        embed.add_field(name=f"{number}. {topic.title}", value=progress_line(t, lang, topic), inline=False)
    return embed


def add_exercises_field(t: Catalog, lang: str, embed: discord.Embed, passed: int, total: int) -> None:
    embed.add_field(
        name=t(lang, "progress.exercises"),
        value=f"`{bar(passed, total)}` " + t(lang, "progress.exercises_line", passed=passed, total=total),
        inline=False,
    )


def progress_line(t: Catalog, lang: str, p: TopicProgress) -> str:
    quiz = f"{p.quiz_best}/{p.quiz_total}" if p.quiz_best is not None else f"–/{p.quiz_total}"
    latest = t(lang, "progress.latest", score=p.quiz_latest) if p.quiz_latest is not None else ""
    return (
        f"`{bar(p.pages_read, p.pages_total)}` "
        + t(
            lang,
            "progress.line",
            pages=p.pages_read,
            pages_total=p.pages_total,
            demos=p.demos_run,
            demos_total=p.demos_total,
            quiz=quiz,
        )
        + latest
    )


def owner_of(interaction: discord.Interaction[Any], user_id: int) -> Owner:
    if interaction.guild_id is None:
        raise UserError("error.guild_only")
    return Owner(interaction.guild_id, user_id)


class LessonButton(
    Control,
    template=r"layerlab:lesson:(?P<user>[0-9]{1,20}):(?P<topic>[a-z0-9_-]{1,40}):"
    r"(?P<page>[0-9]{1,3}):(?P<action>prev|next|try)",
):
    """Previous, Next and Try it under a lesson page (the page shown is in the id)."""

    learning: ClassVar[Learning]
    tryit: ClassVar[TryIt]

    def __init__(self, user_id: int, topic: str, page: int, action: str, **button: Any) -> None:
        custom_id = f"layerlab:lesson:{user_id}:{topic}:{page}:{action}"
        super().__init__(self.button(custom_id, button.pop("label", action), **button))
        self.user_id, self.topic, self.page, self.action = user_id, topic, page, action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> LessonButton:
        return cls(int(match["user"]), match["topic"], int(match["page"]), match["action"])

    @classmethod
    def under_page(cls, t: Catalog, lang: str, user_id: int, lesson: Lesson, page: int) -> discord.ui.View:
        """The buttons under page ``page`` of ``lesson``."""
        view = discord.ui.View(timeout=None)
        last = len(lesson.pages) - 1
        for action, label, emoji, disabled in (
            ("prev", "learn.previous", "◀️", page == 0),
            ("next", "learn.next", "▶️", page == last),
        ):
            view.add_item(
                cls(user_id, lesson.topic, page, action, label=t(lang, label), emoji=emoji, disabled=disabled)
            )
        if lesson.pages[page].demo is not None:
            view.add_item(
                cls(
                    user_id,
                    lesson.topic,
                    page,
                    "try",
                    label=t(lang, "learn.try"),
                    emoji="🧪",
                    style=discord.ButtonStyle.primary,
                )
            )
        return view

    def _lesson(self, lang: str) -> Lesson:
        lesson = self.learning.lessons.get(self.topic, {}).get(lang)
        if lesson is None or self.page >= len(lesson.pages):
            raise UserError("learn.page_gone")
        return lesson

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        self.owned_by(interaction, self.user_id, "learn.not_yours")
        owner = owner_of(interaction, self.user_id)
        t = self.presenter.catalog
        lang = self.presenter.language(interaction)
        lesson = self._lesson(lang)
        if self.action == "try":
            demo = lesson.pages[self.page].demo
            if demo is None:  # the lesson changed since this page was shown
                raise UserError("learn.page_gone")
            await interaction.response.defer(ephemeral=True, thinking=True)
            reply = await self.tryit.run(demo, owner, interaction.user.display_name, lang)
            await self.learning.demo_run(owner, lesson.topic, f"{lesson.topic}:{self.page}")
            await send_followup(interaction, reply, ephemeral=True)
            return
        step = -1 if self.action == "prev" else 1
        page = min(max(self.page + step, 0), len(lesson.pages) - 1)
        await self.learning.page_read(owner, lesson.topic, page)
        await interaction.response.edit_message(
            embed=page_embed(t, lang, lesson, page),
            view=type(self).under_page(t, lang, self.user_id, lesson, page),
        )


def quiz_embed(t: Catalog, lang: str, lesson: Lesson, index: int, result: str = "") -> discord.Embed:
    """Question ``index`` of ``lesson``'s quiz, with the verdict once answered (``result``)."""
    q = lesson.questions[index]
    choices = "\n".join(f"**{LETTERS[i]}.** {choice}" for i, choice in enumerate(q.choices))
    title = t(lang, "quiz.title", topic=lesson.title, number=index + 1, total=len(lesson.questions))
    text = f"{q.text}\n\n{choices}"
    if q.demo is not None and not result:
        text += "\n\n" + t(lang, "quiz.prediction")
    if result:
        text += "\n\n" + result
    return make_embed(title, text)


class QuizButton(
    Control,
    template=r"layerlab:quiz:(?P<quiz>[0-9]{1,20}):(?P<question>[0-9]{1,3}):(?P<choice>[0-9]|next)",
):
    """An answer (A, B, …) or Next/Finish under a quiz question; the quiz's state is
    its row in SQLite, so an answer counts once and a quiz goes on after a restart."""

    learning: ClassVar[Learning]
    tryit: ClassVar[TryIt]

    def __init__(self, quiz_id: int, question: int, choice: str, **button: Any) -> None:
        custom_id = f"layerlab:quiz:{quiz_id}:{question}:{choice}"
        super().__init__(self.button(custom_id, button.pop("label", choice), **button))
        self.quiz_id, self.question, self.choice = quiz_id, question, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QuizButton:
        return cls(int(match["quiz"]), int(match["question"]), match["choice"])

    @classmethod
    def answers(cls, quiz_id: int, lesson: Lesson, index: int) -> discord.ui.View:
        """The answer buttons of question ``index``."""
        view = discord.ui.View(timeout=None)
        for number, _ in enumerate(lesson.questions[index].choices):
            view.add_item(
                cls(quiz_id, index, str(number), label=LETTERS[number], style=discord.ButtonStyle.primary)
            )
        return view

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        quiz = await self.learning.quiz(self.quiz_id)
        if quiz is None:  # finished, started again, or forgotten
            raise UserError("quiz.gone")
        self.owned_by(interaction, quiz.user_id, "learn.not_yours")
        lang = self.presenter.language(interaction)
        lesson = self.learning.lessons.get(quiz.topic, {}).get(lang)
        if lesson is None or quiz.question >= len(lesson.questions):  # the course changed
            raise UserError("quiz.gone")
        if quiz.question != self.question:
            raise UserError("quiz.already")
        if self.choice == "next":
            await self._advance(interaction, quiz, lesson, lang)
        else:
            await self._answer(interaction, quiz, lesson, lang, int(self.choice))

    async def _answer(
        self, interaction: discord.Interaction[Any], quiz: QuizSession, lesson: Lesson, lang: str, number: int
    ) -> None:
        t = self.presenter.catalog
        q = lesson.questions[quiz.question]
        if number >= len(q.choices) or not await self.learning.answer(quiz, number):
            raise UserError("quiz.already")
        if number == q.answer:
            verdict = f"{GOOD} " + t(lang, "quiz.right")
        else:
            verdict = f"{BAD} " + t(lang, "quiz.wrong", answer=f"{LETTERS[q.answer]}. {q.choices[q.answer]}")
        embed = quiz_embed(t, lang, lesson, quiz.question, f"{verdict}\n{q.explain}")
        last = quiz.question == len(lesson.questions) - 1
        view = discord.ui.View(timeout=None)
        label = t(lang, "quiz.finish" if last else "quiz.next")
        view.add_item(
            type(self)(quiz.id, quiz.question, "next", label=label, style=discord.ButtonStyle.success)
        )
        if q.demo is None:
            await interaction.response.edit_message(embed=embed, view=view)
            return
        await interaction.response.defer()
        owner = owner_of(interaction, quiz.user_id)
        try:
            reply = await self.tryit.run(q.demo, owner, interaction.user.display_name, lang)
        except UserError as exc:
            live = self.presenter.error_message(interaction, exc)
            await interaction.edit_original_response(content=live, embed=embed, view=view)
            return
        await interaction.edit_original_response(
            content=t(lang, "quiz.live") + "\n" + reply.content,
            embed=embed,
            attachments=reply.discord_files(),
            view=view,
        )

    async def _advance(
        self, interaction: discord.Interaction[Any], quiz: QuizSession, lesson: Lesson, lang: str
    ) -> None:
        t = self.presenter.catalog
        if quiz.answer is None:
            raise UserError("quiz.already")
        if quiz.question < len(lesson.questions) - 1:
            if not await self.learning.next_question(quiz):
                raise UserError("quiz.already")
            index = quiz.question + 1
            await interaction.response.edit_message(
                content=None,
                embed=quiz_embed(t, lang, lesson, index),
                attachments=[],
                view=type(self).answers(quiz.id, lesson, index),
            )
            return
        owner = owner_of(interaction, quiz.user_id)
        finished = await self.learning.finish_quiz(quiz, owner)
        if finished is None:
            raise UserError("quiz.gone")
        score, progress = finished
        total = len(lesson.questions)
        text = t(lang, "quiz.done", score=score, total=total, best=progress.quiz_best)
        embed = make_embed(t(lang, "quiz.done_title", topic=lesson.title), text, EMBED_COLOUR)
        await interaction.response.edit_message(content=None, embed=embed, attachments=[], view=None)
