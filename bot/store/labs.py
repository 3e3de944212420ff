"""Each student's lab container and its idle clock (the ``labs`` table): the idle
policy survives a restart through it."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import datetime

from bot.store.database import Database
from bot.store.rows import from_row, sql


@dataclass(frozen=True, slots=True)
class Lab:
    guild_id: int
    user_id: int
    container_id: str
    image: str
    display_name: str
    created_at: datetime
    last_used_at: datetime


class LabStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, lab: Lab) -> None:
        await self._db.execute(
            "INSERT INTO labs (guild_id, user_id, container_id, image, display_name, created_at,"
            " last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " container_id = excluded.container_id, image = excluded.image,"
            " display_name = excluded.display_name, created_at = excluded.created_at,"
            " last_used_at = excluded.last_used_at",
            [sql(v) for v in astuple(lab)],
        )

    async def touch(self, guild_id: int, user_id: int, when: datetime) -> None:
        await self._db.execute(
            "UPDATE labs SET last_used_at = ? WHERE guild_id = ? AND user_id = ?",
            (sql(when), guild_id, user_id),
        )

    async def get(self, guild_id: int, user_id: int) -> Lab | None:
        row = await self._db.fetchone(
            "SELECT * FROM labs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return from_row(Lab, row) if row else None

    async def all(self, guild_id: int | None = None) -> list[Lab]:
        if guild_id is None:
            rows = await self._db.fetchall("SELECT * FROM labs ORDER BY guild_id, user_id")
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM labs WHERE guild_id = ? ORDER BY user_id", (guild_id,)
            )
        return [from_row(Lab, row) for row in rows]

    async def delete(self, guild_id: int, user_id: int) -> None:
        await self._db.execute("DELETE FROM labs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
