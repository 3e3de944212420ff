"""`layerlab doctor` and `layerlab backup`, against the real engine and real SQLite files."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import docker
import docker.errors
import pytest

from bot.doctor import PROBLEM, WARN, examine, report
from bot.store import Database
from bot.store.database import migrations
from tests.conftest import BUSYBOX, DEBIAN, TEST_IMAGES, make_settings
from tests.store.test_store import WRITER
from tests.support.registry import registry

TOKEN = (
    "MTA5ODc2NTQzMjEwOTg3NjU0MzIx.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"  # shaped like one, not real
)


def problems(found: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {f.part: f.text for f in found if f.level == PROBLEM}


async def test_a_healthy_setup(engine: docker.DockerClient, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, discord_token=TOKEN, guild_ids=[1], qna_channel=2)
    found = await examine(settings)
    out = io.StringIO()
    assert report(found, out) == 0, out.getvalue()
    text = out.getvalue()
    assert "[ ok ] engine: Docker" in text and "[ ok ] database:" in text
    assert all(f"[ ok ] image: {image} is on the engine" in text for image in TEST_IMAGES)
    assert "[ ok ] playground: /overlay works" in text
    assert not engine.containers.list(all=True, filters={"label": "org.layerlab.purpose=playground"})


async def test_each_broken_part_is_named_with_its_fix(engine: docker.DockerClient, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cases = {
        "image": make_settings(tmp_path, discord_token=TOKEN, base_images=[DEBIAN, "alpine:latest"]),
        "engine": make_settings(tmp_path, discord_token=TOKEN, docker_host=f"unix://{tmp_path}/none.sock"),
        "database": make_settings(tmp_path, discord_token=TOKEN, database=blocker / "layerlab.db"),
        "token": make_settings(tmp_path, discord_token=None),
        "network": make_settings(tmp_path, discord_token=TOKEN, sandbox_network="layerlab-no-such-network"),
    }
    for part, settings in cases.items():
        found = await examine(settings)
        broken = problems(found)
        # Without its network no container starts: the playground's check fails after it.
        assert list(broken) == ([part, "playground"] if part == "network" else [part]), (part, broken)
        out = io.StringIO()
        assert report(found, out) == 1
        assert "fix:" in out.getvalue()
    assert (
        "alpine:latest is on offer but not on the engine" in problems(await examine(cases["image"]))["image"]
    )
    assert "no Docker engine answers" in problems(await examine(cases["engine"]))["engine"]
    assert "no network 'layerlab-no-such-network'" in problems(await examine(cases["network"]))["network"]


def test_doctor_exit_codes_from_the_command_line(engine: docker.DockerClient, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERLAB_") and k != "DISCORD_TOKEN"}
    env.update(LAYERLAB_DATABASE=str(tmp_path / "x.db"), LAYERLAB_BASE_IMAGES=DEBIAN, DISCORD_TOKEN=TOKEN)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    env["DISCORD_TOKEN"] = "nope"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 1 and "does not look like a bot token" in done.stdout
    assert "nope" not in done.stdout + done.stderr  # the token itself is never printed


async def test_backup_while_the_bot_writes(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    await (await Database.open(path)).close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    try:
        confirmed = 0
        deadline = time.monotonic() + 20
        while confirmed < 300 and time.monotonic() < deadline:
            confirmed = int(await asyncio.to_thread(writer.stdout.readline))
        store = await Database.open(path)
        try:
            assert await store.backup(tmp_path / "copy.db") == len(migrations())
        finally:
            await store.close()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = copy.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert kept >= confirmed  # every row committed before the backup started is in it


def test_backup_from_the_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERLAB_")}
    env["LAYERLAB_DATABASE"] = str(tmp_path / "db.sqlite")
    target = tmp_path / "backups" / "copy.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "backup", str(target)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0 and target.exists(), done.stderr
    again = subprocess.run(
        [sys.executable, "-m", "bot", "backup", str(target)], capture_output=True, text=True, env=env
    )
    assert again.returncode == 2 and "exists" in again.stderr  # never overwrites a backup


def prepare(images: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERLAB_")}
    env.update(LAYERLAB_DATABASE=str(tmp_path / "x.db"), LAYERLAB_BASE_IMAGES=",".join(images))
    command = [sys.executable, "-m", "bot", "images", "prepare"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_images_prepare_reports_each_image(engine: docker.DockerClient, tmp_path: Path) -> None:
    """One already on the engine is left alone; one no registry has is a clear failure
    (exit 1). Nothing leaves the machine: it is asked of a port on loopback where
    nothing listens."""
    absent = "127.0.0.1:9/course/absent:latest"
    done = prepare([DEBIAN, absent], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"ok   {DEBIAN}: already on the engine" in done.stdout
    assert f"FAIL {absent}:" in done.stdout and "1 image(s) could not be prepared" in done.stdout
    assert not engine.images.list(name="127.0.0.1:9/course/absent")


@pytest.mark.one_engine  # the containerd store pulls over TLS only, even from localhost (see README)
def test_images_prepare_pulls_what_is_missing(engine: docker.DockerClient, tmp_path: Path) -> None:
    """An image on offer that the engine lacks is pulled (from a registry on loopback,
    tests/support/registry.py: the test image with a layer of its own), and is left
    alone the next time."""
    with registry(engine, BUSYBOX, "course/tiny") as (pulled, asked):
        try:
            done = prepare([DEBIAN, pulled], tmp_path)
            assert done.returncode == 0, done.stdout + done.stderr
            assert f"ok   {pulled}" in done.stdout and "already" not in done.stdout.split(pulled)[1], (
                done.stdout
            )
            layers = engine.images.get(pulled).attrs["RootFS"]["Layers"]
            assert layers[:-1] == engine.images.get(BUSYBOX).attrs["RootFS"]["Layers"] and len(layers) == 2
            assert sum("/blobs/" in path for path in asked) >= 2  # at least the config and the new layer
            again = prepare([DEBIAN, pulled], tmp_path)
            assert again.returncode == 0 and f"ok   {pulled}: already on the engine" in again.stdout, (
                again.stdout
            )
        finally:
            with contextlib.suppress(docker.errors.ImageNotFound):
                engine.images.remove(pulled)


async def test_one_engine_listed_twice_is_named(engine: docker.DockerClient, tmp_path: Path) -> None:
    main = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    assert main.startswith("unix://")
    alias = tmp_path / "same.sock"
    alias.symlink_to(main.removeprefix("unix://"))
    settings = make_settings(tmp_path, discord_token=TOKEN, docker_hosts=[main, f"unix://{alias}"])
    found = await examine(settings)
    assert not problems(found)
    warned = [f.text for f in found if f.level == WARN and f.part == f"engine [{alias}]"]
    assert warned == [f"unix://{alias} seems to reach the same engine as {main} (same ID, host, data root)"]
