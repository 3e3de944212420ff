"""What each student did in the lessons: pages read, demos run, quizzes being
answered and finished (the ``progress``, ``quiz_sessions`` and ``quiz_attempts`` tables)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.rows import from_row, sql


@dataclass(frozen=True, slots=True)
class TopicActivity:
    """What one student did in one topic."""

    topic: str
    pages: frozenset[int]
    demos: frozenset[str]
    best_score: int | None
    latest_score: int | None
    quiz_total: int | None


@dataclass(frozen=True, slots=True)
class QuizSession:
    """A quiz being answered (its buttons carry ``id``)."""

    id: int
    guild_id: int
    user_id: int
    topic: str
    question: int  # the index of the question on screen
    answer: int | None  # the choice given to it, None until answered
    score: int  # right answers so far, this question's included


class LearningStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_progress(self, guild_id: int, user_id: int, topic: str, kind: str, item: str) -> bool:
        """Count a page read (``kind`` "page") or a demo run ("demo") once; True when it is new."""
        written = await self._db.execute(
            "INSERT OR IGNORE INTO progress (guild_id, user_id, topic, kind, item, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, topic, kind, item, sql(utcnow())),
        )
        return written.rowcount == 1

    async def start_quiz(self, guild_id: int, user_id: int, topic: str) -> QuizSession:
        """A new quiz on ``topic``, replacing the student's unfinished one there."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM quiz_sessions WHERE guild_id = ? AND user_id = ? AND topic = ?",
                (guild_id, user_id, topic),
            )
            written = await tx.execute(
                "INSERT INTO quiz_sessions (guild_id, user_id, topic, started_at) VALUES (?, ?, ?, ?)",
                (guild_id, user_id, topic, sql(utcnow())),
            )
        return QuizSession(written.lastrowid, guild_id, user_id, topic, 0, None, 0)

    async def quiz_session(self, session_id: int) -> QuizSession | None:
        row = await self._db.fetchone("SELECT * FROM quiz_sessions WHERE id = ?", (session_id,))
        return from_row(QuizSession, row) if row is not None else None

    async def answer_quiz(
        self, session_id: int, question: int, choice: int, right: bool, key: str, concept: str
    ) -> bool:
        """Record the answer to ``question`` (whose id is ``key``) once, in the quiz
        and among every answer given (``answers``); False when it was answered
        already (a second click) or is not the question on screen."""
        async with self._db.transaction() as tx:
            written = await tx.execute(
                "UPDATE quiz_sessions SET answer = ?, score = score + ?"
                " WHERE id = ? AND question = ? AND answer IS NULL",
                (choice, int(right), session_id, question),
            )
            if written.rowcount != 1:
                return False
            await tx.execute(
                "INSERT INTO answers"
                " (guild_id, user_id, topic, question, concept, choice, correct, source, created_at)"
                " SELECT guild_id, user_id, topic, ?, ?, ?, ?, 'quiz', ? FROM quiz_sessions WHERE id = ?",
                (key, concept, choice, int(right), sql(utcnow()), session_id),
            )
        return True

    async def next_question(self, session_id: int, question: int) -> bool:
        """From the answered ``question`` to the next; False when that happened already."""
        written = await self._db.execute(
            "UPDATE quiz_sessions SET question = question + 1, answer = NULL"
            " WHERE id = ? AND question = ? AND answer IS NOT NULL",
            (session_id, question),
        )
        return written.rowcount == 1

    async def finish_quiz(self, session_id: int, question: int, total: int) -> int | None:
        """End the quiz whose last question ``question`` has been answered: its result
        joins ``quiz_attempts`` and the session goes, in one transaction. Returns the
        score, None when it had already ended."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM quiz_sessions WHERE id = ? AND question = ? AND answer IS NOT NULL",
                (session_id, question),
            )
            if row is None:
                return None
            quiz = from_row(QuizSession, row)
            await tx.execute("DELETE FROM quiz_sessions WHERE id = ?", (session_id,))
            await tx.execute(
                "INSERT INTO quiz_attempts (guild_id, user_id, topic, score, total, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (quiz.guild_id, quiz.user_id, quiz.topic, quiz.score, total, sql(utcnow())),
            )
        return quiz.score

    async def activity(self, guild_id: int, user_id: int) -> dict[str, TopicActivity]:
        pages: dict[str, set[int]] = {}
        demos: dict[str, set[str]] = {}
        for row in await self._db.fetchall(
            "SELECT topic, kind, item FROM progress WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ):
            if row["kind"] == "page":
                pages.setdefault(row["topic"], set()).add(int(row["item"]))
            else:
                demos.setdefault(row["topic"], set()).add(row["item"])
        scores: dict[str, tuple[int, int, int]] = {}
        for row in await self._db.fetchall(
            "SELECT topic, MAX(score) AS best, total,"
            " (SELECT score FROM quiz_attempts q2 WHERE q2.guild_id = q.guild_id AND q2.user_id = q.user_id"
            "  AND q2.topic = q.topic ORDER BY id DESC LIMIT 1) AS latest"
            " FROM quiz_attempts q WHERE guild_id = ? AND user_id = ? GROUP BY topic",
            (guild_id, user_id),
        ):
            scores[row["topic"]] = (row["best"], row["latest"], row["total"])
        topics = set(pages) | set(demos) | set(scores)
        return {
            topic: TopicActivity(
                topic=topic,
                pages=frozenset(pages.get(topic, ())),
                demos=frozenset(demos.get(topic, ())),
                best_score=scores[topic][0] if topic in scores else None,
                latest_score=scores[topic][1] if topic in scores else None,
                quiz_total=scores[topic][2] if topic in scores else None,
            )
            for topic in topics
        }
