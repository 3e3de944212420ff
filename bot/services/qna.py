"""Questions and answers: stored, answered at once from the course where possible,
routed to teachers otherwise, and searchable for everyone once answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.errors import NotFound, UserError
from bot.lessons import COURSE, LANGUAGES, Lesson
from bot.sandbox.models import Owner
from bot.services.recording import CONTAINER_COMMANDS
from bot.services.search import match_query
from bot.store import Passage, Question, QuestionStore, Run, RunStore

#: How many passages /ask and /faq show.
SUGGESTIONS = 3
RATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Asked:
    question: Question
    suggestions: tuple[Passage, ...]
    run: Run | None


class QnA:
    def __init__(
        self,
        questions: QuestionStore,
        runs: RunStore,
        lessons: dict[str, dict[str, Lesson]],
        *,
        per_hour: int,
        max_chars: int,
    ) -> None:
        self.store = questions
        self.runs = runs
        self.lessons = lessons
        self.per_hour = per_hour
        self.max_chars = max_chars

    async def index_lessons(self) -> int:
        rows = [
            (f"lesson:{topic}:{number}", lang, f"{lesson.title} — {page.title}", page.text)
            for topic in COURSE
            for lang in LANGUAGES
            for lesson in (self.lessons[topic][lang],)
            for number, page in enumerate(lesson.pages)
        ]
        await self.store.index_lessons(rows)
        return len(rows)

    async def search(self, guild_id: int, text: str, *, lang: str | None = None) -> tuple[Passage, ...]:
        """The best passages; a lesson in the asker's language before the same page in the other."""
        found = await self.store.search(guild_id, match_query(text), limit=SUGGESTIONS * 4)
        chosen: list[Passage] = []
        seen_pages: set[str] = set()
        for passage in found:
            page = passage.ref
            if passage.ref.startswith("lesson:") and lang and passage.lang != lang:
                twin = next((p for p in found if p.ref == passage.ref and p.lang == lang), None)
                passage = twin or passage
            if page in seen_pages:
                continue
            seen_pages.add(page)
            chosen.append(passage)
        return tuple(chosen[:SUGGESTIONS])

    async def ask(
        self,
        owner: Owner,
        display_name: str,
        text: str,
        *,
        anonymous: bool,
        include_last_run: bool,
        lang: str,
    ) -> Asked:
        text = text.strip()
        if not text:
            raise UserError("qna.empty")
        if len(text) > self.max_chars:
            raise UserError("qna.too_long", limit=self.max_chars)
        recent = await self.store.asked_since(owner.guild_id, owner.user_id, datetime.now(UTC) - RATE_WINDOW)
        if recent >= self.per_hour:
            raise UserError("qna.rate_limited", limit=self.per_hour)
        run = await self.last_run(owner) if include_last_run else None
        question_id = await self.store.add(
            owner.guild_id,
            owner.user_id,
            display_name,
            text,
            anonymous=anonymous,
            run_id=run.id if run else None,
        )
        question = await self.get(owner.guild_id, question_id)
        return Asked(
            question=question, suggestions=await self.search(owner.guild_id, text, lang=lang), run=run
        )

    async def last_run(self, owner: Owner) -> Run | None:
        for run in await self.runs.recent(owner.guild_id, owner.user_id, limit=50):
            if run.command in CONTAINER_COMMANDS:
                return run
        return None

    async def get(self, guild_id: int, question_id: int) -> Question:
        question = await self.store.get(guild_id, question_id)
        if question is None:
            raise NotFound("qna.unknown", id=question_id)
        return question

    async def in_thread(self, guild_id: int, thread_id: int) -> Question:
        """The question whose thread this is (``qna.not_a_question_thread`` if none)."""
        question = await self.store.by_thread(guild_id, thread_id)
        if question is None:
            raise UserError("qna.not_a_question_thread")
        return question

    async def posted(self, question: Question, *, thread_id: int, message_id: int) -> None:
        await self.store.set_post(question.id, thread_id=thread_id, message_id=message_id)

    async def answer(self, guild_id: int, question_id: int, text: str, by: int) -> Question:
        question = await self.get(guild_id, question_id)
        if question.status == "closed":
            raise UserError("qna.closed", id=question_id)
        text = text.strip()
        if not text:
            raise UserError("qna.no_answer", id=question_id)
        await self.store.answer(question.id, text, by)
        return await self.get(guild_id, question_id)

    async def close(self, guild_id: int, question_id: int, reason: str) -> Question:
        question = await self.get(guild_id, question_id)
        await self.store.close(question.id, reason.strip())
        return await self.get(guild_id, question_id)

    async def listing(self, guild_id: int, status: str) -> list[Question]:
        return await self.store.listing(guild_id, status)
