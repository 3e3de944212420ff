"""/overlay through the bot (real discord.py, engine, SQLite): the playground's
commands, its answers, its idle rule and its removal with a student's data."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import docker
import pytest
from PIL import Image

from bot.clock import utcnow
from tests.bot.test_demos import code
from tests.conftest import BUSYBOX, STUDENT, Harness, make_settings, running_bot
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


CHANGES = "echo changed >> merged/a && rm merged/b && rm -r merged/dir && mkdir merged/dir"


async def test_overlay_show_lays_the_folders_side_by_side(course: Harness) -> None:
    none = await course.run("overlay show", locale="en-US")
    assert "You have no playground yet" in course.message(none)["content"]
    await course.run("overlay run", command="true")
    nothing = await course.run("overlay show", locale="en-US")
    assert "Nothing is mounted as an overlay" in course.text(nothing)

    await course.run("overlay run", command=f"{MOUNT} && {CHANGES}")
    shown = await course.run("overlay show", locale="en-US")
    lines = code(course.message(shown)).splitlines()
    assert lines[0] == "$ /overlay show"
    assert lines[1].startswith(
        "overlay on /overlay/merged type overlay (lowerdir=/overlay/lower1:/overlay/lower2,"
        "upperdir=/overlay/upper,workdir=/overlay/work,"
    )
    table = {line.split()[0]: line for line in lines[2:] if line.strip()}
    assert table["PATH"].split() == ["PATH", "lower1", "lower2", "upper", "merged"]
    assert table["a"].split() == ["a", "file", "4B", "-", "file", "12B,", "copied", "up", "file", "12B"]
    assert table["b"].split() == ["b", "-", "file", "4B", "whiteout", "(c", "0,0)", "-"]
    assert table["dir/"].split() == ["dir/", "dir", "-", "dir,", "opaque", "dir"]
    assert table["dir/c"].split() == ["dir/c", "file", "5B", "-", "-", "-"]
    assert "whiteout (c 0,0)" in course.text(shown) and "copied up" in course.text(shown)
    # The same mount drawn: a row per folder, merged on top, in the table's words.
    alt = course.alt(shown, "overlay.png").splitlines()
    assert alt[0] == "The overlay on /overlay/merged, merged on top"
    assert alt[1] == "merged: a (12B), dir (dir)"
    assert alt[2] == "upper: a (12B), b (whiteout), dir (opaque dir)"
    assert alt[3:] == ["lower1: a (4B), dir (dir), dir/c (5B)", "lower2: b (4B)"]
    drawn = Image.open(io.BytesIO(course.files(shown)["overlay.png"]))
    drawn.load()
    assert drawn.format == "PNG" and drawn.width == 960 and drawn.height < 1000
    assert course.message(shown)["embeds"][0]["image"]["url"] == "attachment://overlay.png"

    inside = await course.run("overlay show", path="merged/dir", locale="en-US")
    assert [line.split()[0] for line in code(course.message(inside)).splitlines()[2:]] == [
        "PATH",
        "dir/",
        "dir/c",
    ]
    nowhere = await course.run("overlay show", path="elsewhere", locale="en-US")
    assert "No overlay is mounted at `elsewhere`" in course.message(nowhere)["content"]


async def test_the_lesson_runs_in_the_playground_and_the_exercise_checks_itself(course: Harness) -> None:
    from tests.bot.test_learning import LESSONS, embed_of, press

    not_yet = await course.run("exercise check", id="overlayfs")
    assert "**Nog niet**: 0 van de 6 controles kloppen" in course.text(not_yet)  # no playground yet

    lesson = LESSONS["overlayfs"]["nl"]
    it = await course.run("learn", topic="overlayfs")
    shown: list[list[str]] = []
    for index, page in enumerate(lesson.pages):
        assert embed_of(course, it.original_id or "")["title"].endswith(f"{index + 1}/{len(lesson.pages)}")
        if page.demo is not None and page.demo.kind == "overlay":
            tried = await press(course, it, "Probeer het")
            content = tried.responses[-1].payload["content"]
            assert content.startswith(f"```\n$ {page.demo.option('command')}\n"), content[:200]
            shown.append(content.split("\n", 2)[2].rsplit("```", 1)[0].split())
        if index < len(lesson.pages) - 1:
            await press(course, it, "Volgende")
    mount, copy_up, whiteout, opaque, unmount = shown
    assert mount == ["a", "b", "dir"]  # the union of lower1 and lower2
    assert copy_up == ["one", "one", "changed"]  # lower1/a as it was, then upper/a
    assert whiteout == ["a", "dir", "character", "special", "file", "0,0"]
    assert opaque == ["0", "c"]  # nothing in merged/dir, lower1/dir still holds c
    assert unmount == ["0", "one", "two", "a", "b", "dir"]  # merged empty, lowers unchanged, upper kept all

    done = await course.run("exercise check", id="overlayfs")
    assert "**Geslaagd**: alle 6 controles kloppen" in course.text(done)


async def test_a_lab_host_that_cannot_make_the_playground_says_why(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    # busybox's unshare does not do it here; a kernel or AppArmor that refuses fails the same way.
    async with running_bot(make_settings(tmp_path, default_image=BUSYBOX)) as harness:
        refused = await harness.run("overlay run", command="true")
        text = harness.message(refused)["content"]
        assert "laat de speeltuin geen eigen namespaces maken" in text and "unshare" in text
        assert "layerlab doctor" in text and "/learn topic:overlayfs" in text
        assert not playgrounds(engine, STUDENT.id)  # nothing left behind
