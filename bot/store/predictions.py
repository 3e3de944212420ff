"""Predictions made by the whole class, and every answer kept for the
misconceptions view (the ``predictions``, ``prediction_answers`` and ``answers`` tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.rows import from_row, sql


@dataclass(frozen=True, slots=True)
class Prediction:
    """A prediction question posted in a channel (its buttons carry ``id``)."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    topic: str
    question: str
    lang: str
    created_at: datetime
    revealed_at: datetime | None


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """How often one choice was given to one question (for /class misconceptions)."""

    concept: str
    topic: str
    question: str
    choice: int
    correct: bool
    count: int


class PredictionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def post(self, guild_id: int, channel_id: int, topic: str, question: str, lang: str) -> int:
        written = await self._db.execute(
            "INSERT INTO predictions (guild_id, channel_id, topic, question, lang, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, channel_id, topic, question, lang, sql(utcnow())),
        )
        return int(written.lastrowid or 0)

    async def posted(self, prediction_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE predictions SET message_id = ? WHERE id = ?", (message_id, prediction_id)
        )

    async def drop(self, prediction_id: int) -> None:
        """A prediction whose message could not be posted."""
        await self._db.execute("DELETE FROM predictions WHERE id = ?", (prediction_id,))

    async def get(self, prediction_id: int) -> Prediction | None:
        row = await self._db.fetchone("SELECT * FROM predictions WHERE id = ?", (prediction_id,))
        return from_row(Prediction, row) if row is not None else None

    async def open_in(self, guild_id: int, channel_id: int) -> Prediction | None:
        """The newest prediction in this channel that has not been revealed."""
        row = await self._db.fetchone(
            "SELECT * FROM predictions WHERE guild_id = ? AND channel_id = ? AND revealed_at IS NULL"
            " AND message_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            (guild_id, channel_id),
        )
        return from_row(Prediction, row) if row is not None else None

    async def lock_in(self, prediction_id: int, guild_id: int, user_id: int, choice: int) -> bool:
        """Keep (or change) a student's answer; False once the prediction is revealed."""
        async with self._db.transaction() as tx:
            still_open = await tx.fetchone(
                "SELECT 1 FROM predictions WHERE id = ? AND revealed_at IS NULL", (prediction_id,)
            )
            if still_open is None:
                return False
            await tx.execute(
                "INSERT INTO prediction_answers (prediction_id, guild_id, user_id, choice, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (prediction_id, user_id)"
                " DO UPDATE SET choice = excluded.choice, updated_at = excluded.updated_at",
                (prediction_id, guild_id, user_id, choice, sql(utcnow())),
            )
        return True

    async def reveal(self, prediction_id: int, concept: str, answer: int) -> dict[int, int] | None:
        """Close the prediction and count its answers per choice, copying each
        into ``answers``; None when it had been revealed already (one reveal counts)."""
        now = sql(utcnow())
        async with self._db.transaction() as tx:
            closed = await tx.execute(
                "UPDATE predictions SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
                (now, prediction_id),
            )
            if closed.rowcount != 1:
                return None
            await tx.execute(
                "INSERT INTO answers"
                " (guild_id, user_id, topic, question, concept, choice, correct, source, created_at)"
                " SELECT a.guild_id, a.user_id, p.topic, p.question, ?, a.choice, a.choice = ?, 'class', ?"
                " FROM prediction_answers a JOIN predictions p ON p.id = a.prediction_id"
                " WHERE a.prediction_id = ?",
                (concept, answer, now, prediction_id),
            )
            rows = await tx.fetchall(
                "SELECT choice, COUNT(*) AS n FROM prediction_answers"
                " WHERE prediction_id = ? GROUP BY choice",
                (prediction_id,),
            )
        return {int(r["choice"]): int(r["n"]) for r in rows}

    async def answer_counts(self, guild_id: int, topic: str | None = None) -> list[AnswerCount]:
        """Per question and choice, how often it was answered (quizzes and class
        predictions together), most given first."""
        rows = await self._db.fetchall(
            "SELECT concept, topic, question, choice, correct, COUNT(*) AS count FROM answers"
            " WHERE guild_id = ? AND (? IS NULL OR topic = ?)"
            " GROUP BY concept, topic, question, choice ORDER BY count DESC, topic, question, choice",
            (guild_id, topic, topic),
        )
        return [from_row(AnswerCount, row) for row in rows]
