"""Students' questions, teachers' answers, and the full-text index that finds
lesson pages and answered questions (the ``questions`` and ``passages`` tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.rows import from_row, sql

#: bm25 weights of the passages columns (ref, guild_id, lang, title, body): titles weigh more.
_RANK = "bm25(passages, 0, 0, 0, 3.0, 1.0)"


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    guild_id: int
    user_id: int
    display_name: str
    text: str
    anonymous: bool
    status: str
    run_id: int | None
    thread_id: int | None
    message_id: int | None
    answer: str | None
    answered_by: int | None
    answered_at: datetime | None
    close_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Passage:
    ref: str  # "lesson:<topic>:<page>" or "question:<id>"
    lang: str
    title: str
    body: str
    rank: float


class QuestionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        guild_id: int,
        user_id: int,
        display_name: str,
        text: str,
        *,
        anonymous: bool,
        run_id: int | None,
    ) -> int:
        written = await self._db.execute(
            "INSERT INTO questions (guild_id, user_id, display_name, text, anonymous, run_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, display_name, text, sql(anonymous), run_id, sql(utcnow())),
        )
        return written.lastrowid

    async def set_post(self, question_id: int, *, thread_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE questions SET thread_id = ?, message_id = ? WHERE id = ?",
            (thread_id, message_id, question_id),
        )

    async def get(self, guild_id: int, question_id: int) -> Question | None:
        row = await self._db.fetchone(
            "SELECT * FROM questions WHERE guild_id = ? AND id = ?", (guild_id, question_id)
        )
        return from_row(Question, row) if row else None

    async def by_thread(self, guild_id: int, thread_id: int) -> Question | None:
        row = await self._db.fetchone(
            "SELECT * FROM questions WHERE guild_id = ? AND thread_id = ?", (guild_id, thread_id)
        )
        return from_row(Question, row) if row else None

    async def listing(self, guild_id: int, status: str | None = None) -> list[Question]:
        if status:
            rows = await self._db.fetchall(
                "SELECT * FROM questions WHERE guild_id = ? AND status = ? ORDER BY id", (guild_id, status)
            )
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM questions WHERE guild_id = ? ORDER BY id", (guild_id,)
            )
        return [from_row(Question, r) for r in rows]

    async def asked_since(self, guild_id: int, user_id: int, since: datetime) -> int:
        return await self._db.scalar(
            "SELECT COUNT(*) FROM questions WHERE guild_id = ? AND user_id = ? AND created_at >= ?",
            (guild_id, user_id, sql(since)),
        )

    async def answer(self, question_id: int, answer: str, by: int) -> None:
        """Mark answered and make the pair searchable, in one transaction."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE questions SET status = 'answered', answer = ?, answered_by = ?, answered_at = ?"
                " WHERE id = ?",
                (answer, by, sql(utcnow()), question_id),
            )
            row = await tx.fetchone("SELECT guild_id, text FROM questions WHERE id = ?", (question_id,))
            ref = f"question:{question_id}"
            await tx.execute("DELETE FROM passages WHERE ref = ?", (ref,))
            if row is not None:
                await tx.execute(
                    "INSERT INTO passages (ref, guild_id, lang, title, body) VALUES (?, ?, '', ?, ?)",
                    (ref, row["guild_id"], row["text"], answer),
                )

    async def close(self, question_id: int, reason: str) -> None:
        await self._db.execute(
            "UPDATE questions SET status = 'closed', close_reason = ? WHERE id = ?", (reason, question_id)
        )

    # -- the search index ---------------------------------------------------------------

    async def index_lessons(self, passages: list[tuple[str, str, str, str]]) -> None:
        """(ref, lang, title, body) of every lesson page, replacing the lessons indexed before."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM passages WHERE ref LIKE 'lesson:%'")
            await tx.executemany(
                "INSERT INTO passages (ref, guild_id, lang, title, body) VALUES (?, 0, ?, ?, ?)", passages
            )

    async def search(
        self, guild_id: int, match: str, *, lessons: bool = True, limit: int = 3
    ) -> list[Passage]:
        """Ranked full-text search over lessons and this server's answers; ``match``
        is an FTS5 query (``bot.services.search.match_query`` makes one)."""
        if not match:
            return []
        scope = "(guild_id = 0 OR guild_id = ?)" if lessons else "guild_id = ?"
        rows = await self._db.fetchall(
            f"SELECT ref, lang, title, body, {_RANK} AS rank FROM passages"
            f" WHERE passages MATCH ? AND {scope} ORDER BY rank LIMIT ?",
            (match, guild_id, limit),
        )
        return [from_row(Passage, r) for r in rows]
