"""The database: opening it, its numbered migrations, backups, and the one way
statements reach SQLite (``Database.execute``/``fetch*`` and ``transaction()``).

One aiosqlite connection serves the whole bot. Statements from different
coroutines would otherwise interleave on it, and a write from one could land
inside another's transaction (and be rolled back with it), so every statement
and every transaction takes the same lock: a transaction's statements run with
nothing in between.

Durability: WAL with ``synchronous=FULL`` means a transaction that returned
from ``COMMIT`` survives the process being killed (and the machine losing
power); a transaction cut off half-way is rolled back on the next open.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
#: How long a writer waits for another connection's lock (a backup, a second bot) before failing.
BUSY_TIMEOUT_MS = 5000

Params = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Written:
    """What a write did."""

    rowcount: int
    lastrowid: int


def migrations() -> list[tuple[int, str]]:
    """The packaged migrations as (number, SQL), numbered 1..n without gaps."""
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


def _fresh_target(target: Path) -> None:
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)


async def _prepare(connection: aiosqlite.Connection) -> None:
    """Settings every connection needs, then the migrations it has not had."""
    for pragma in (
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
    ):
        await connection.execute(pragma)
    current = await Statements(connection).scalar("PRAGMA user_version")
    known = migrations()
    if current > len(known):
        raise RuntimeError(f"database schema version {current} is newer than this bot knows ({len(known)})")
    for number, sql in known[current:]:
        log.info("Applying database migration %04d", number)
        # One transaction per migration, the version bump included.
        await connection.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")


class Statements:
    """Running SQL on the connection, with no lock of its own: a ``Transaction``
    holds the database's lock for all of its statements."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> Written:
        cursor = await self._connection.execute(sql, params)
        return Written(rowcount=cursor.rowcount, lastrowid=int(cursor.lastrowid or 0))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._connection.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._connection.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def scalar(self, sql: str, params: Params = ()) -> int:
        """The first column of the first row as an int (0 when there is none)."""
        row = await self.fetchone(sql, params)
        return int(row[0]) if row and row[0] is not None else 0


class Transaction(Statements):
    """Statements that commit together or not at all (see ``Database.transaction``)."""


class Database:
    """The SQLite file every repository shares."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._statements = Statements(connection)
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        try:
            await _prepare(connection)
        except BaseException:
            await connection.close()
            raise
        return cls(connection)

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()

    async def schema_version(self) -> int:
        return await self.scalar("PRAGMA user_version")

    # -- statements ------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> Written:
        async with self._lock:
            return await self._statements.execute(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return await self._statements.fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._lock:
            return await self._statements.fetchone(sql, params)

    async def scalar(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            return await self._statements.scalar(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """``async with db.transaction() as tx:`` — every statement through ``tx``
        commits when the block ends, and is rolled back if it raises (or is
        cancelled). Other coroutines' statements wait until then. Inside the block,
        use ``tx`` only: the database's own methods would wait for the block to end."""
        async with self._lock:
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
                yield Transaction(self._connection)
                await self._connection.execute("COMMIT")
            except BaseException:
                # Also when BEGIN or COMMIT itself failed or was cancelled: the shared
                # connection must never be left inside a transaction.
                if self._connection.in_transaction:
                    await self._connection.execute("ROLLBACK")
                raise

    # -- backups ---------------------------------------------------------------------

    async def backup(self, path: Path | str) -> int:
        """An online, consistent copy (SQLite's backup API) while the bot keeps writing;
        returns the schema version of the copy."""
        target = Path(path)
        await asyncio.to_thread(_fresh_target, target)
        copy = await aiosqlite.connect(target)
        try:
            async with self._lock:
                await self._connection.backup(copy)
            copied = Statements(copy)
            row = await copied.fetchone("PRAGMA integrity_check")
            if not row or row[0] != "ok":
                raise RuntimeError(f"the backup failed its integrity check: {row}")
            return await copied.scalar("PRAGMA user_version")
        finally:
            await copy.close()
