"""Lesson pages, quizzes and progress: embeds and the buttons that turn them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import Catalog
from bot.lessons import Lesson, Question
from bot.sandbox.models import Owner
from bot.services.learning import Learning, TopicProgress
from bot.ui.base import LayerLabView
from bot.ui.presenter import NO_MENTIONS, OUTCOME, Presenter
from bot.ui.replies import EMBED_COLOUR, Reply, make_embed
from bot.ui.tryit import TryIt

log = logging.getLogger(__name__)

#: How long lesson and quiz buttons keep working.
VIEW_TIMEOUT = 30 * 60
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


class OwnedView(LayerLabView):
    """Buttons only the student who asked may press (errors and ends: ``LayerLabView``)."""

    def __init__(self, owner: Owner, presenter: Presenter, lang: str) -> None:
        super().__init__(presenter, timeout=VIEW_TIMEOUT)
        self.owner = owner
        self.lang = lang
        self.t = presenter.catalog

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner.user_id:
            return True
        lang = self.presenter.language(interaction)
        interaction.extras[OUTCOME] = "refused:not_yours"
        await interaction.response.send_message(
            self.t(lang, "learn.not_yours"), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return False

    def button(
        self,
        label: str,
        callback: Any,
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
        emoji: str | None = None,
    ) -> None:
        item: discord.ui.Button[OwnedView] = discord.ui.Button(
            label=label, style=style, disabled=disabled, emoji=emoji
        )

        item.callback = callback  # type: ignore[method-assign]
        self.add_item(item)


async def send_demo(interaction: discord.Interaction[Any], reply: Reply) -> None:
    await interaction.followup.send(
        reply.content,
        embeds=list(reply.embeds),
        files=reply.discord_files(),
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


class TopicView(OwnedView):
    """A student's view of one topic: its lesson pages or its quiz."""

    def __init__(
        self,
        *,
        owner: Owner,
        presenter: Presenter,
        lang: str,
        lesson: Lesson,
        learning: Learning,
        tryit: TryIt,
    ) -> None:
        super().__init__(owner, presenter, lang)
        self.lesson = lesson
        self.learning = learning
        self.tryit = tryit
        self._layout()

    def _layout(self) -> None:
        """Put the buttons of the current screen in place."""
        raise NotImplementedError


class LessonView(TopicView):
    page = 0  # the page shown

    def _layout(self) -> None:
        self.clear_items()
        last = len(self.lesson.pages) - 1
        self.button(self.t(self.lang, "learn.previous"), self.previous, disabled=self.page == 0, emoji="◀️")
        self.button(self.t(self.lang, "learn.next"), self.next, disabled=self.page == last, emoji="▶️")
        if self.lesson.pages[self.page].demo is not None:
            self.button(
                self.t(self.lang, "learn.try"), self.try_it, style=discord.ButtonStyle.primary, emoji="🧪"
            )

    def embed(self) -> discord.Embed:
        return page_embed(self.t, self.lang, self.lesson, self.page)

    async def show(self, interaction: discord.Interaction[Any]) -> None:
        self._layout()
        await self.learning.page_read(self.owner, self.lesson.topic, self.page)
        await interaction.response.edit_message(embed=self.embed(), view=self)

    async def previous(self, interaction: discord.Interaction[Any]) -> None:
        self.page = max(0, self.page - 1)
        await self.show(interaction)

    async def next(self, interaction: discord.Interaction[Any]) -> None:
        self.page = min(len(self.lesson.pages) - 1, self.page + 1)
        await self.show(interaction)

    async def try_it(self, interaction: discord.Interaction[Any]) -> None:
        demo = self.lesson.pages[self.page].demo
        assert demo is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await self.tryit.run(demo, self.owner, interaction.user.display_name, self.lang)
        await self.learning.demo_run(self.owner, self.lesson.topic, f"{self.lesson.topic}:{self.page}")
        await send_demo(interaction, reply)


class QuizView(TopicView):
    index = 0  # the question asked
    score = 0  # right answers so far

    @property
    def question(self) -> Question:
        return self.lesson.questions[self.index]

    def _layout(self) -> None:  # a question and its answer buttons
        self.clear_items()
        for number, _ in enumerate(self.question.choices):
            self.button(LETTERS[number], self._answerer(number), style=discord.ButtonStyle.primary)

    def _answerer(self, number: int) -> Any:
        async def answer(interaction: discord.Interaction[Any]) -> None:
            await self.answer(interaction, number)

        return answer

    def embed(self, result: str = "") -> discord.Embed:
        q = self.question
        choices = "\n".join(f"**{LETTERS[i]}.** {choice}" for i, choice in enumerate(q.choices))
        title = self.t(
            self.lang,
            "quiz.title",
            topic=self.lesson.title,
            number=self.index + 1,
            total=len(self.lesson.questions),
        )
        text = f"{q.text}\n\n{choices}"
        if q.demo is not None and not result:
            text += "\n\n" + self.t(self.lang, "quiz.prediction")
        if result:
            text += "\n\n" + result
        return make_embed(title, text)

    async def answer(self, interaction: discord.Interaction[Any], number: int) -> None:
        q = self.question
        right = number == q.answer
        self.score += int(right)
        verdict = (
            f"{GOOD} " + self.t(self.lang, "quiz.right")
            if right
            else f"{BAD} "
            + self.t(self.lang, "quiz.wrong", answer=f"{LETTERS[q.answer]}. {q.choices[q.answer]}")
        )
        result = f"{verdict}\n{q.explain}"
        self.clear_items()
        last = self.index == len(self.lesson.questions) - 1
        label = self.t(self.lang, "quiz.finish" if last else "quiz.next")
        self.button(label, self.advance, style=discord.ButtonStyle.success)
        if q.demo is None:
            await interaction.response.edit_message(embed=self.embed(result), view=self)
            return
        await interaction.response.defer()
        try:
            reply = await self.tryit.run(q.demo, self.owner, interaction.user.display_name, self.lang)
        except UserError as exc:
            live = self.presenter.error_message(interaction, exc)
            await interaction.edit_original_response(content=live, embed=self.embed(result), view=self)
            return
        await interaction.edit_original_response(
            content=self.t(self.lang, "quiz.live") + "\n" + reply.content,
            embed=self.embed(result),
            attachments=reply.discord_files(),
            view=self,
        )

    async def advance(self, interaction: discord.Interaction[Any]) -> None:
        if self.index < len(self.lesson.questions) - 1:
            self.index += 1
            self._layout()
            await interaction.response.edit_message(
                content=None, embed=self.embed(), attachments=[], view=self
            )
            return
        total = len(self.lesson.questions)
        progress = await self.learning.quiz_done(self.owner, self.lesson.topic, self.score, total)
        self.clear_items()
        self.stop()
        text = self.t(self.lang, "quiz.done", score=self.score, total=total, best=progress.quiz_best)
        embed = make_embed(self.t(self.lang, "quiz.done_title", topic=self.lesson.title), text, EMBED_COLOUR)
        await interaction.response.edit_message(content=None, embed=embed, attachments=[], view=None)
