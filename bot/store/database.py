"""SQLite storage: numbered migrations, WAL, rows back as frozen dataclasses.

Durability: WAL with ``synchronous=FULL`` means a transaction that returned
from ``commit`` survives the process being killed (and the machine losing
power); a transaction cut off half-way is rolled back on the next open.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
#: How long a writer waits for another connection's lock before failing.
BUSY_TIMEOUT_MS = 5000


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


@dataclass(frozen=True, slots=True)
class Lab:
    guild_id: int
    user_id: int
    container_id: str
    image: str
    display_name: str
    created_at: datetime
    last_used_at: datetime


def _lab(row: aiosqlite.Row) -> Lab:
    return Lab(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        container_id=row["container_id"],
        image=row["image"],
        display_name=row["display_name"],
        created_at=datetime.fromisoformat(row["created_at"]),
        last_used_at=datetime.fromisoformat(row["last_used_at"]),
    )


def _migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match[1]), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


class Store:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        store = cls(connection)
        try:
            await store._prepare()
        except BaseException:
            await connection.close()
            raise
        return store

    async def _prepare(self) -> None:
        await self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self._db.execute("PRAGMA journal_mode = WAL")
        await self._db.execute("PRAGMA synchronous = FULL")
        await self._db.execute("PRAGMA foreign_keys = ON")
        await self._migrate()

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        migrations = _migrations()
        if current > len(migrations):
            raise RuntimeError(
                f"database schema version {current} is newer than this bot knows ({len(migrations)})"
            )
        for number, sql in migrations[current:]:
            log.info("Applying database migration %04d", number)
            # One transaction per migration, the version bump included.
            await self._db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def close(self) -> None:
        await self._db.close()

    # -- runs --------------------------------------------------------------

    async def record_run(
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
    ) -> int:
        cursor = await self._db.execute(
            "INSERT INTO runs (guild_id, user_id, command, image, input, exit_code,"
            " duration_ms, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                user_id,
                command,
                image,
                input,
                exit_code,
                duration_ms,
                outcome,
                datetime.now(UTC).isoformat(),
            ),
        )
        return int(cursor.lastrowid or 0)

    async def runs(self, guild_id: int, user_id: int, limit: int = 50) -> list[Run]:
        async with self._db.execute(
            "SELECT * FROM runs WHERE guild_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            Run(
                id=r["id"],
                guild_id=r["guild_id"],
                user_id=r["user_id"],
                command=r["command"],
                image=r["image"],
                input=r["input"],
                exit_code=r["exit_code"],
                duration_ms=r["duration_ms"],
                outcome=r["outcome"],
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    # -- labs ----------------------------------------------------------------

    async def save_lab(self, lab: Lab) -> None:
        await self._db.execute(
            "INSERT INTO labs (guild_id, user_id, container_id, image, display_name, created_at,"
            " last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " container_id = excluded.container_id, image = excluded.image,"
            " display_name = excluded.display_name, created_at = excluded.created_at,"
            " last_used_at = excluded.last_used_at",
            (
                lab.guild_id,
                lab.user_id,
                lab.container_id,
                lab.image,
                lab.display_name,
                lab.created_at.isoformat(),
                lab.last_used_at.isoformat(),
            ),
        )

    async def touch_lab(self, guild_id: int, user_id: int, when: datetime) -> None:
        await self._db.execute(
            "UPDATE labs SET last_used_at = ? WHERE guild_id = ? AND user_id = ?",
            (when.isoformat(), guild_id, user_id),
        )

    async def lab(self, guild_id: int, user_id: int) -> Lab | None:
        async with self._db.execute(
            "SELECT * FROM labs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ) as cursor:
            row = await cursor.fetchone()
        return _lab(row) if row else None

    async def labs(self, guild_id: int | None = None) -> list[Lab]:
        query, args = "SELECT * FROM labs ORDER BY guild_id, user_id", tuple[int, ...]()
        if guild_id is not None:
            query, args = "SELECT * FROM labs WHERE guild_id = ? ORDER BY user_id", (guild_id,)
        async with self._db.execute(query, args) as cursor:
            return [_lab(row) for row in await cursor.fetchall()]

    async def delete_lab(self, guild_id: int, user_id: int) -> None:
        await self._db.execute("DELETE FROM labs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    # -- privacy ---------------------------------------------------------------

    async def delete_user_data(self, guild_id: int, user_id: int) -> int:
        """Remove every row about this user in this course server (privacy)."""
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            deleted = 0
            for table in ("runs", "labs"):
                cursor = await self._db.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
                deleted += cursor.rowcount
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        return deleted
