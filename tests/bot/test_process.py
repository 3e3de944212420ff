"""The bot as a real process (``layerlab run``) on a real engine: killed with -9 and
started again, its lesson and quiz buttons go on; stopped with SIGTERM in the
middle of a class, it answers everyone, leaves no container behind but the lab
containers (with their files), and its SQLite file is whole."""

from __future__ import annotations

import io
import re
import sqlite3
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from bot.lessons import load
from fakediscord import FakeDiscord, FakeInteraction, FakeUser
from fakediscord.limits import LOADING
from tests.bot.test_lab import lab_containers
from tests.conftest import DEBIAN, OTHER_STUDENT, STUDENT
from tests.support.remote import RemoteBot, settings_env, until

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine

THIRD_STUDENT = FakeUser(id=200000000000000003, name="student_c")
LESSONS = load()
GRACE = 2.0


@pytest.fixture
def cleanup_labs(engine: docker.DockerClient) -> Iterator[None]:
    yield
    for user in (STUDENT, OTHER_STUDENT, THIRD_STUDENT):
        for container in lab_containers(engine, user):
            container.remove(force=True)


def shown(fake: FakeDiscord, message_id: str | None) -> dict[str, Any] | None:
    """The message as the student sees it once the bot has finished with it (None before)."""
    message = fake.messages.get(message_id or "")
    if message is None or message["flags"] & LOADING:
        return None
    content = message["content"]
    if content.startswith(("⚙️", "⏳")):  # running, or waiting in the queue
        return None
    return message


def text_of(message: dict[str, Any]) -> str:
    parts = [message["content"]]
    for embed in message["embeds"]:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def title(fake: FakeDiscord, it: FakeInteraction) -> str:
    message = fake.messages.get(it.original_id or "")
    return str(message["embeds"][0]["title"]) if message and message["embeds"] else ""


async def test_lesson_and_quiz_buttons_survive_kill_9(
    engine: docker.DockerClient, fake: FakeDiscord, tmp_path: Path, cleanup_labs: None
) -> None:
    bot = RemoteBot(fake, settings_env(tmp_path), tmp_path / "bot.log")
    pages = len(LESSONS["linux"]["nl"].pages)
    questions = len(LESSONS["history"]["nl"].questions)
    await bot.start()
    lesson = await bot.command("learn", STUDENT, topic="linux")
    await until(lambda: title(fake, lesson).endswith(f"1/{pages}"), what="the lesson")
    await bot.click(lesson.original_id or "", "Volgende", STUDENT)
    await until(lambda: title(fake, lesson).endswith(f"2/{pages}"), what="page 2")
    quiz = await bot.command("quiz", STUDENT, topic="history")
    await until(lambda: title(fake, quiz).endswith(f"1/{questions}"), what="the quiz")
    await bot.click(quiz.original_id or "", "A", STUDENT)
    await until(lambda: "Volgende vraag" in str(fake.messages[quiz.original_id or ""]["components"]))

    bot.kill()
    assert await bot.wait(10) == -9
    await bot.start()  # the same database, nothing in memory

    await bot.click(lesson.original_id or "", "Volgende", STUDENT)
    await until(lambda: title(fake, lesson).endswith(f"3/{pages}"), what="page 3 after the restart")
    tried = await bot.click(lesson.original_id or "", "Probeer het", STUDENT)
    demo = await until(
        lambda: next(
            (fake.messages[m] for m in tried.followup_ids if "docker" in fake.messages[m]["content"]), None
        ),
        what="Try it after the restart",
    )
    assert "$ docker" in demo["content"]

    await bot.click(quiz.original_id or "", "Volgende vraag", STUDENT)
    await until(lambda: title(fake, quiz).endswith(f"2/{questions}"), what="question 2 after the restart")
    await bot.click(quiz.original_id or "", "B", STUDENT)
    await until(lambda: re.search("✅|❌", fake.messages[quiz.original_id or ""]["embeds"][0]["description"]))

    bot.terminate()
    assert await bot.wait(30) == 0
    with sqlite3.connect(tmp_path / "layerlab.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        row = db.execute(
            "SELECT question, answer FROM quiz_sessions WHERE user_id = ?", (STUDENT.id,)
        ).fetchone()
        assert row == (1, 1)  # on question 2, answered B
        pages_read = db.execute(
            "SELECT COUNT(*) FROM progress WHERE user_id = ? AND topic = 'linux' AND kind = 'page'",
            (STUDENT.id,),
        ).fetchone()
        assert pages_read == (3,)
    assert not fake.violations


def lab_file(container: Any, path: str) -> bytes:
    stream, _ = container.get_archive(path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        member = tar.extractfile(tar.getmembers()[0])
        assert member is not None
        return member.read()


async def test_sigterm_in_the_middle_of_a_class(
    engine: docker.DockerClient, fake: FakeDiscord, tmp_path: Path, cleanup_labs: None
) -> None:
    env = settings_env(
        tmp_path,
        sandbox_concurrency=2,
        shutdown_grace_seconds=GRACE,
        sandbox_timeout=60,
        base_images=DEBIAN,  # one warm container, of the image every command here uses
        warm_pool=1,
    )
    bot = RemoteBot(fake, env, tmp_path / "bot.log")
    await bot.start()
    warm = {"label": "org.layerlab.purpose=warm"}
    await until(lambda: engine.containers.list(filters=warm), what="a warm container")
    first = await bot.command("lab run", STUDENT, command="echo bewaard > /tmp/keep")
    await until(lambda: shown(fake, first.original_id), what="the first lab command")

    # One at a time, so that which command holds a slot and which one waits is certain.
    lab_cmd = await bot.command("lab run", STUDENT, command="sleep 50")
    (lab,) = lab_containers(engine, STUDENT)
    await until(
        lambda: any("sleep 50" in " ".join(p) for p in lab.top()["Processes"]), what="the lab command"
    )
    running = await bot.command("diff", OTHER_STUDENT, command="sleep 50")
    # In the warm container: taken, it runs the command, and the pool starts another.
    await until(lambda: len(engine.containers.list(filters=warm)) == 2, what="the running /diff")
    assert any(
        "sleep 50" in " ".join(p) for c in engine.containers.list(filters=warm) for p in c.top()["Processes"]
    )
    queued = await bot.command("diff", THIRD_STUDENT, command="sleep 50")
    await until(
        lambda: fake.messages.get(queued.original_id or "", {}).get("content", "").startswith("⏳"),
        what="the queued /diff",
    )

    started = time.monotonic()
    bot.terminate()
    assert await bot.wait(GRACE + 25) == 0
    took = time.monotonic() - started
    assert took < GRACE + 15, f"the stop took {took:.1f} s"

    for it in (lab_cmd, running):  # ended, and told why
        message = await until(lambda it=it: shown(fake, it.original_id), 5, "an ended command's answer")
        assert "de bot werd herstart" in text_of(message), text_of(message)
    message = await until(lambda: shown(fake, queued.original_id), 5, "the queued student's answer")
    assert "De bot wordt herstart, dus dit werd niet uitgevoerd" in text_of(message)

    # Nothing left behind but the lab container, which keeps its files: no one-shot
    # container, and neither the warm container in use nor the idle one.
    assert engine.containers.list(all=True, filters={"label": "org.layerlab.purpose=oneshot"}) == []
    assert engine.containers.list(all=True, filters=warm) == []
    (lab,) = lab_containers(engine, STUDENT)
    assert lab_file(lab, "/tmp/keep") == b"bewaard\n"

    with sqlite3.connect(tmp_path / "layerlab.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM labs").fetchone() == (1,)
    log = (tmp_path / "bot.log").read_text()
    assert "Stopped: 1 waiting job(s) refused, 2 running command(s) ended" in log, log[-3000:]
    assert not fake.violations
