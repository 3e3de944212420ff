"""/overlay through the bot (real discord.py, engine, SQLite): the playground's
commands, its answers, its idle rule and its removal with a student's data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import docker
import pytest

from bot.clock import utcnow
from tests.bot.test_demos import code
from tests.conftest import STUDENT, Harness, make_settings, running_bot
from tests.sandbox.test_playground import MOUNT


def playgrounds(engine: docker.DockerClient, user_id: int) -> list:
    filters = {"label": ["org.layerlab.purpose=playground", f"org.layerlab.owner={user_id}"]}
    return engine.containers.list(all=True, filters=filters)


@pytest.fixture
async def course(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(tmp_path)) as harness:
        yield harness
        await harness.built.playground.forget(harness.session_owner(STUDENT))


async def test_overlay_run_mounts_and_keeps_its_mounts(course: Harness, engine: docker.DockerClient) -> None:
    made = await course.run("overlay run", command=f"{MOUNT} && ls merged", locale="en-US")
    text = course.text(made)
    assert code(course.message(made)).startswith(f"$ {MOUNT} && ls merged\n")
    assert code(course.message(made)).splitlines()[1].split() == ["a", "b", "dir"]  # the union
    assert "Your playground was made just now" in text and "-o userxattr" in text
    assert course.message(made)["allowed_mentions"] == {"parse": []}
    again = await course.run("overlay run", command="rm merged/b && stat -c '%F %t,%T' upper/b")
    assert "character special file 0,0" in code(course.message(again))
    assert "net gemaakt" not in course.text(again)  # the same playground

    reset = await course.run("overlay reset", locale="en-US")
    assert "Your playground is gone" in course.message(reset)["content"]
    assert not playgrounds(engine, STUDENT.id)
    none = await course.run("overlay reset", locale="en-US")
    assert "You have no playground" in course.message(none)["content"]


async def test_an_idle_playground_is_removed_and_forget_removes_it(
    course: Harness, engine: docker.DockerClient
) -> None:
    await course.run("overlay run", command="echo hi > note")
    assert await course.built.playground.tick() == 0 and playgrounds(engine, STUDENT.id)  # just used
    later = utcnow() + timedelta(minutes=course.built.settings.lab_stop_minutes + 1)
    assert await course.built.playground.tick(now=later) == 1
    assert not playgrounds(engine, STUDENT.id)
    await course.run("overlay run", command="true")
    assert playgrounds(engine, STUDENT.id)
    await course.built.privacy.forget(course.session_owner(STUDENT))
    assert not playgrounds(engine, STUDENT.id)
