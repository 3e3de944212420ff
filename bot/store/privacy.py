"""Everything kept about one student, counted and forgotten (a ``delete_user_data``
like Red's privacy hook). Knows every table keyed by a student."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Database

#: Tables keyed by course server and user; user_settings is per user.
PER_GUILD = (
    "runs",
    "labs",
    "progress",
    "quiz_sessions",
    "quiz_attempts",
    "exercise_attempts",
    "questions",
    "placements",
    "answers",
    "prediction_answers",
)


@dataclass(frozen=True, slots=True)
class StoredAbout:
    """How many rows the store holds about one student (for /privacy)."""

    runs: int
    progress: int
    quiz_attempts: int
    labs: int
    settings: int
    exercise_attempts: int = 0
    answers: int = 0  # answers given, in quizzes and class predictions
    questions: int = 0  # questions asked with /ask


class PrivacyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def stored_about(self, guild_id: int, user_id: int) -> StoredAbout:
        counts = {
            table: await self._db.scalar(
                f"SELECT COUNT(*) FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            for table in PER_GUILD
        }
        return StoredAbout(
            runs=counts["runs"],
            progress=counts["progress"],
            quiz_attempts=counts["quiz_attempts"] + counts["quiz_sessions"],  # finished, or under way
            labs=counts["labs"],
            settings=await self._db.scalar(
                "SELECT COUNT(*) FROM user_settings WHERE user_id = ?", (user_id,)
            ),
            exercise_attempts=counts["exercise_attempts"],
            answers=counts["answers"] + counts["prediction_answers"],
            questions=counts["questions"],
        )

    async def delete_user_data(self, guild_id: int, user_id: int) -> int:
        """Remove every row about this user in this course server, and their own
        settings, in one transaction; returns how many rows went."""
        async with self._db.transaction() as tx:
            # Their questions leave the search index too.
            await tx.execute(
                "DELETE FROM passages WHERE ref IN (SELECT 'question:' || id FROM questions"
                " WHERE guild_id = ? AND user_id = ?)",
                (guild_id, user_id),
            )
            deleted = 0
            for table in PER_GUILD:
                written = await tx.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
                deleted += written.rowcount
            deleted += (await tx.execute("DELETE FROM user_settings WHERE user_id = ?", (user_id,))).rowcount
        return deleted
