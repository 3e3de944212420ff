"""Teachers' exercises, their state per course server, and every check a student
ran (the ``exercises``, ``exercise_state`` and ``exercise_attempts`` tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.rows import from_row, sql


@dataclass(frozen=True, slots=True)
class StoredExercise:
    guild_id: int
    id: str
    title: str
    instructions: str
    hints: tuple[str, ...]
    checks: str
    created_by: int


@dataclass(frozen=True, slots=True)
class ExerciseState:
    deadline: datetime | None = None
    closed: bool = False
    channel_id: int | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    user_id: int
    display_name: str
    exercise_id: str
    passed: bool
    failed: tuple[str, ...]
    late: bool
    created_at: datetime


class ExerciseStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, exercise: StoredExercise) -> None:
        await self._db.execute(
            "INSERT INTO exercises (guild_id, id, title, instructions, hints, checks, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, id) DO UPDATE SET"
            " title = excluded.title,"
            " instructions = excluded.instructions, hints = excluded.hints, checks = excluded.checks",
            (
                exercise.guild_id,
                exercise.id,
                exercise.title,
                exercise.instructions,
                sql(exercise.hints),
                exercise.checks,
                exercise.created_by,
                sql(utcnow()),
            ),
        )

    async def all(self, guild_id: int) -> list[StoredExercise]:
        rows = await self._db.fetchall(
            "SELECT * FROM exercises WHERE guild_id = ? ORDER BY created_at", (guild_id,)
        )
        return [from_row(StoredExercise, r) for r in rows]

    async def states(self, guild_id: int) -> dict[str, ExerciseState]:
        rows = await self._db.fetchall("SELECT * FROM exercise_state WHERE guild_id = ?", (guild_id,))
        return {r["id"]: from_row(ExerciseState, r) for r in rows}

    async def state(self, guild_id: int, exercise_id: str) -> ExerciseState:
        row = await self._db.fetchone(
            "SELECT * FROM exercise_state WHERE guild_id = ? AND id = ?", (guild_id, exercise_id)
        )
        return from_row(ExerciseState, row) if row else ExerciseState()

    async def save_state(self, guild_id: int, exercise_id: str, state: ExerciseState) -> None:
        await self._db.execute(
            "INSERT INTO exercise_state (guild_id, id, deadline, closed, channel_id, message_id)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, id) DO UPDATE SET"
            " deadline = excluded.deadline,"
            " closed = excluded.closed, channel_id = excluded.channel_id, message_id = excluded.message_id",
            (
                guild_id,
                exercise_id,
                sql(state.deadline),
                sql(state.closed),
                state.channel_id,
                state.message_id,
            ),
        )

    async def record_attempt(self, guild_id: int, attempt: Attempt) -> None:
        await self._db.execute(
            "INSERT INTO exercise_attempts (guild_id, user_id, display_name, exercise_id, passed, failed,"
            " late, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                attempt.user_id,
                attempt.display_name,
                attempt.exercise_id,
                sql(attempt.passed),
                sql(attempt.failed),
                sql(attempt.late),
                sql(attempt.created_at),
            ),
        )

    async def attempts(self, guild_id: int, user_id: int | None = None) -> list[Attempt]:
        """Attempts in this course server (of one student if given), oldest first."""
        if user_id is None:
            rows = await self._db.fetchall(
                "SELECT * FROM exercise_attempts WHERE guild_id = ? ORDER BY id", (guild_id,)
            )
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM exercise_attempts WHERE guild_id = ? AND user_id = ? ORDER BY id",
                (guild_id, user_id),
            )
        return [from_row(Attempt, r) for r in rows]
