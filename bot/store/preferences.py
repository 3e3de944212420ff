"""Each student's own choices across course servers (the ``user_settings`` table)."""

from __future__ import annotations

from bot.store.database import Database


class PreferenceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def languages(self) -> dict[int, str]:
        """user id -> the language they chose."""
        rows = await self._db.fetchall(
            "SELECT user_id, language FROM user_settings WHERE language IS NOT NULL"
        )
        return {int(row["user_id"]): str(row["language"]) for row in rows}

    async def set_language(self, user_id: int, language: str | None) -> None:
        await self._db.execute(
            "INSERT INTO user_settings (user_id, language) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
            (user_id, language),
        )
