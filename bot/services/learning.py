"""Lessons, quizzes and per-student progress."""

from __future__ import annotations

from dataclasses import dataclass

from bot import lessons
from bot.lessons import Lesson
from bot.sandbox.models import Owner
from bot.store import LearningStore, QuizSession

__all__ = ["Learning", "QuizSession", "TopicProgress"]


@dataclass(frozen=True, slots=True)
class TopicProgress:
    topic: str
    title: str
    pages_read: int
    pages_total: int
    demos_run: int
    demos_total: int
    quiz_best: int | None
    quiz_latest: int | None
    quiz_total: int


class Learning:
    def __init__(self, store: LearningStore) -> None:
        self.store = store
        self.lessons = lessons.load()

    def lesson(self, topic: str, lang: str) -> Lesson:
        return self.lessons[topic][lang]

    def topics(self, lang: str) -> list[tuple[str, str]]:
        """(topic id, title) in course order."""
        return [(topic, self.lessons[topic][lang].title) for topic in lessons.COURSE]

    def find_topic(self, text: str) -> str | None:
        """A topic by id or by (part of) its title in any language."""
        wanted = text.strip().lower()
        for topic in lessons.COURSE:
            if wanted == topic or any(
                wanted == lesson.title.lower() for lesson in self.lessons[topic].values()
            ):
                return topic
        for topic in lessons.COURSE:
            if wanted and any(wanted in lesson.title.lower() for lesson in self.lessons[topic].values()):
                return topic
        return None

    async def page_read(self, owner: Owner, topic: str, page: int) -> None:
        await self.store.record_progress(owner.guild_id, owner.user_id, topic, "page", str(page))

    async def demo_run(self, owner: Owner, topic: str, demo: str) -> None:
        await self.store.record_progress(owner.guild_id, owner.user_id, topic, "demo", demo)

    # -- a quiz, kept in SQLite from its first question to its result ----------------

    async def start_quiz(self, owner: Owner, topic: str) -> QuizSession:
        """A new quiz on ``topic`` (the student's unfinished one there is dropped)."""
        return await self.store.start_quiz(owner.guild_id, owner.user_id, topic)

    async def quiz(self, session_id: int) -> QuizSession | None:
        """The quiz behind a button, None when it ended or was started again."""
        return await self.store.quiz_session(session_id)

    async def answer(self, quiz: QuizSession, choice: int) -> bool:
        """Record ``choice`` for the question on screen; False when it had an answer."""
        question = self.lesson(quiz.topic, "en").questions[quiz.question]
        right = choice == question.answer
        return await self.store.answer_quiz(
            quiz.id, quiz.question, choice, right, question.key, question.concept
        )

    async def next_question(self, quiz: QuizSession) -> bool:
        return await self.store.next_question(quiz.id, quiz.question)

    async def finish_quiz(self, quiz: QuizSession, owner: Owner) -> tuple[int, TopicProgress] | None:
        """The score and the topic's progress once the last answer is in; None when
        this quiz had already been finished (a second click on Finish)."""
        total = len(self.lesson(quiz.topic, "en").questions)
        score = await self.store.finish_quiz(quiz.id, quiz.question, total)
        if score is None:
            return None
        return score, next(p for p in await self.progress(owner, "en") if p.topic == quiz.topic)

    async def progress(self, owner: Owner, lang: str) -> list[TopicProgress]:
        activity = await self.store.activity(owner.guild_id, owner.user_id)
        found = []
        for topic in lessons.COURSE:
            lesson = self.lessons[topic][lang]
            done = activity.get(topic)
            demos = {f"{topic}:{i}" for i, page in enumerate(lesson.pages) if page.demo}
            found.append(
                TopicProgress(
                    topic=topic,
                    title=lesson.title,
                    pages_read=len(done.pages) if done else 0,
                    pages_total=len(lesson.pages),
                    demos_run=len(done.demos & demos) if done else 0,
                    demos_total=len(demos),
                    quiz_best=done.best_score if done else None,
                    quiz_latest=done.latest_score if done else None,
                    quiz_total=len(lesson.questions),
                )
            )
        return found
