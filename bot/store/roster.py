"""Who is in a course server's class: everyone who used the bot there, by the
name they last had (read across the features' tables: runs, labs, exercise attempts)."""

from __future__ import annotations

from bot.store.database import Database


class RosterStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def students(self, guild_id: int) -> dict[int, str]:
        """Everyone who used the bot in this server: user id -> last known display name."""
        names: dict[int, str] = {}
        for query in (
            "SELECT DISTINCT user_id, '' AS name FROM runs WHERE guild_id = ?",
            "SELECT user_id, display_name AS name FROM labs WHERE guild_id = ?",
            "SELECT user_id, display_name AS name FROM exercise_attempts WHERE guild_id = ? ORDER BY id",
        ):
            for row in await self._db.fetchall(query, (guild_id,)):
                if row["name"] or row["user_id"] not in names:
                    names[row["user_id"]] = row["name"] or names.get(row["user_id"], "")
        return names
