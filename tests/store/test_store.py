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

from bot.store import Database, Repositories
from bot.store.database import migrations


async def _record(repos: Repositories, user: int, command: str = "diff") -> int:
    return await repos.runs.record(
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
    store = await Database.open(path)
    assert await store.schema_version() == len(migrations())
    await store.close()
    store = await Database.open(path)  # opening again applies nothing twice
    assert await store.schema_version() == len(migrations())
    await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 999")
    with pytest.raises(RuntimeError, match="newer"):
        await Database.open(path)


async def test_runs_are_kept_per_user_and_forgotten_on_request(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite")
    repos = Repositories.over(db)
    try:
        await _record(repos, 7, "diff")
        await _record(repos, 7, "history")
        await _record(repos, 8, "diff")
        runs = await repos.runs.recent(1, 7)
        assert [r.command for r in runs] == ["history", "diff"]
        assert runs[0].image == "ubuntu:latest" and runs[0].exit_code == 0
        assert await repos.privacy.delete_user_data(1, 7) == 2
        assert await repos.runs.recent(1, 7) == []
        assert len(await repos.runs.recent(1, 8)) == 1  # someone else's rows stay
    finally:
        await db.close()


WRITER = """
import asyncio, sys
from bot.store import Database, RunStore

async def main(path):
    runs = RunStore(await Database.open(path))
    n = 0
    while True:
        await runs.record(guild_id=1, user_id=5, command="diff", image=None, input="x" * 2000,
                               exit_code=0, duration_ms=1, outcome="ok")
        n += 1
        print(n, flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def test_a_bot_killed_mid_write_loses_nothing_it_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    await (await Database.open(path)).close()  # create and migrate first
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
    db = await Database.open(path)
    try:
        kept = len(await Repositories.over(db).runs.recent(1, 5, limit=100_000))
    finally:
        await db.close()
    assert kept >= confirmed  # every write that returned is there (one more may have landed)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_a_transaction_that_fails_leaves_nothing_and_others_wait_for_it(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite")
    repos = Repositories.over(db)
    try:
        inside = asyncio.Event()
        release = asyncio.Event()

        async def failing() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO user_settings (user_id, language) VALUES (1, 'nl')")
                inside.set()
                await release.wait()
                raise RuntimeError("half-way")

        task = asyncio.create_task(failing())
        await inside.wait()
        # Another coroutine's write must not land inside the failing transaction
        # (it would be rolled back with it): it waits, then commits on its own.
        other = asyncio.create_task(repos.preferences.set_language(2, "en"))
        await asyncio.sleep(0.05)
        assert not other.done()
        release.set()
        with pytest.raises(RuntimeError, match="half-way"):
            await task
        await other
        assert await repos.preferences.languages() == {2: "en"}
    finally:
        await db.close()


async def test_rows_come_back_typed(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.store import Attempt, ExerciseState

    db = await Database.open(tmp_path / "db.sqlite")
    repos = Repositories.over(db)
    try:
        when = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
        attempt = Attempt(7, "An", "sl", False, ("image myubuntu", "diff A /x"), True, when)
        await repos.exercises.record_attempt(1, attempt)
        assert await repos.exercises.attempts(1, 7) == [attempt]
        assert await repos.exercises.state(1, "sl") == ExerciseState()  # never saved: the default
        state = ExerciseState(deadline=when, closed=True, channel_id=5, message_id=None)
        await repos.exercises.save_state(1, "sl", state)
        assert await repos.exercises.state(1, "sl") == state
        assert await repos.exercises.states(1) == {"sl": state}
    finally:
        await db.close()
