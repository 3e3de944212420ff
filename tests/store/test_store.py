"""The store on real SQLite files: migrations, durability, privacy."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.database import _migrations


async def _record(store: Store, user: int, command: str = "diff") -> int:
    return await store.record_run(
        guild_id=1,
        user_id=user,
        command=command,
        image="ubuntu:latest",
        input="ls",
        exit_code=0,
        duration_ms=12,
        outcome="ok",
    )


async def test_migrations_apply_once_and_set_the_version(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    store = await Store.open(path)
    assert await store.schema_version() == len(_migrations())
    await store.close()
    store = await Store.open(path)  # opening again applies nothing twice
    assert await store.schema_version() == len(_migrations())
    await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 999")
    with pytest.raises(RuntimeError, match="newer"):
        await Store.open(path)


async def test_runs_are_kept_per_user_and_forgotten_on_request(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite")
    try:
        await _record(store, 7, "diff")
        await _record(store, 7, "history")
        await _record(store, 8, "diff")
        runs = await store.runs(1, 7)
        assert [r.command for r in runs] == ["history", "diff"]
        assert runs[0].image == "ubuntu:latest" and runs[0].exit_code == 0
        assert await store.delete_user_data(1, 7) == 2
        assert await store.runs(1, 7) == []
        assert len(await store.runs(1, 8)) == 1  # someone else's rows stay
    finally:
        await store.close()


WRITER = """
import asyncio, sys
from bot.store import Store

async def main(path):
    store = await Store.open(path)
    n = 0
    while True:
        await store.record_run(guild_id=1, user_id=5, command="diff", image=None, input="x" * 2000,
                               exit_code=0, duration_ms=1, outcome="ok")
        n += 1
        print(n, flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def test_a_bot_killed_mid_write_loses_nothing_it_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    await (await Store.open(path)).close()  # create and migrate first
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    confirmed = 0
    deadline = time.monotonic() + 20
    while confirmed < 200 and time.monotonic() < deadline:
        line = await asyncio.to_thread(writer.stdout.readline)
        confirmed = int(line)
    writer.send_signal(signal.SIGKILL)  # no clean shutdown, in the middle of writing
    writer.wait()
    assert confirmed >= 200
    store = await Store.open(path)
    try:
        kept = len(await store.runs(1, 5, limit=100_000))
    finally:
        await store.close()
    assert kept >= confirmed  # every write that returned is there (one more may have landed)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
