"""What each student did in the lessons: pages read, demos run, quizzes finished
(the ``progress`` and ``quiz_attempts`` tables)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.rows import sql


@dataclass(frozen=True, slots=True)
class TopicActivity:
    """What one student did in one topic."""

    topic: str
    pages: frozenset[int]
    demos: frozenset[str]
    best_score: int | None
    latest_score: int | None
    quiz_total: int | None


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

    async def record_quiz(self, guild_id: int, user_id: int, topic: str, score: int, total: int) -> None:
        await self._db.execute(
            "INSERT INTO quiz_attempts (guild_id, user_id, topic, score, total, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, topic, score, total, sql(utcnow())),
        )

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
