"""Which engine holds each student's containers and images (the ``placements`` table)."""

from __future__ import annotations

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.rows import sql


class PlacementStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self) -> dict[tuple[int, int], str]:
        """(guild id, user id) -> the engine's URL."""
        rows = await self._db.fetchall("SELECT guild_id, user_id, engine FROM placements")
        return {(int(r[0]), int(r[1])): str(r[2]) for r in rows}

    async def place(self, guild_id: int, user_id: int, engine: str) -> None:
        await self._db.execute(
            "INSERT INTO placements (guild_id, user_id, engine, placed_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET engine = excluded.engine,"
            " placed_at = excluded.placed_at",
            (guild_id, user_id, engine, sql(utcnow())),
        )
