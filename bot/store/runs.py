"""Every command a student ran, refusals and failures included (the ``runs`` table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.rows import from_row, sql


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    guild_id: int
    user_id: int
    command: str
    image: str | None
    input: str | None
    exit_code: int | None
    duration_ms: int
    outcome: str
    created_at: datetime
    output_head: str | None = None
    diff: str | None = None
    engine: str | None = None  # the URL of the engine it went to


class RunStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        *,
        guild_id: int,
        user_id: int,
        command: str,
        image: str | None,
        input: str | None,
        exit_code: int | None,
        duration_ms: int,
        outcome: str,
        output_head: str | None = None,
        diff: str | None = None,
        engine: str | None = None,
    ) -> int:
        written = await self._db.execute(
            "INSERT INTO runs (guild_id, user_id, command, image, input, exit_code, duration_ms,"
            " outcome, created_at, output_head, diff, engine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                user_id,
                command,
                image,
                input,
                exit_code,
                duration_ms,
                outcome,
                sql(utcnow()),
                output_head,
                diff,
                engine,
            ),
        )
        return written.lastrowid

    async def recent(self, guild_id: int, user_id: int, limit: int = 50) -> list[Run]:
        """This student's runs, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM runs WHERE guild_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, limit),
        )
        return [from_row(Run, r) for r in rows]

    async def durations(self, engine: str, since: datetime, commands: tuple[str, ...]) -> list[int]:
        """Durations (ms) of the runs of ``commands`` on ``engine`` since ``since``
        that ran (not refused, not failed), shortest first."""
        marks = ", ".join("?" * len(commands))
        rows = await self._db.fetchall(
            f"SELECT duration_ms FROM runs WHERE engine = ? AND created_at >= ? AND command IN ({marks})"
            " AND outcome NOT LIKE 'refused:%' AND outcome != 'error' ORDER BY duration_ms",
            (engine, sql(since.astimezone(UTC)), *commands),
        )
        return [int(row[0]) for row in rows]
