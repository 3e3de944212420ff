"""What the lessons and quizzes claim a demo shows, checked on the real engine.

Every page demo and every prediction of the course is run as the bot runs it
(``TryIt``, the real services, this engine) and its ``expect`` / ``absent``
patterns are matched against what the bot shows: the transcript in the message
and the text files attached to it. The suite runs once per engine of the
matrix, so a claim holds on the classic store and the containerd store, on
dockerd 20.10 and 28, or the lesson is wrong.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import docker
import pytest

from bot.lessons import COURSE, Demo, load
from bot.sandbox.models import Owner
from bot.ui.replies import Reply
from tests.conftest import Harness, make_settings, running_bot

LESSONS = load()
#: Students of their own for the claims (a lab container, a playground each).
FIRST_USER = 7_100_000


def shown(reply: Reply) -> str:
    """The text a student sees for a demo: the message and its attached text files."""
    parts = [reply.content, *(e.description or "" for e in reply.embeds)]
    parts += [data.decode("utf-8", "replace") for name, data in reply.files if name.endswith(".txt")]
    return "\n".join(parts)


def claims(topic: str) -> tuple[list[tuple[str, Demo]], list[tuple[str, Demo]]]:
    """(where, demo) of a topic's pages, and of its quiz's predictions."""
    lesson = LESSONS[topic]["en"]
    pages = [(f"{topic} page {i + 1}", p.demo) for i, p in enumerate(lesson.pages) if p.demo]
    quiz = [(f"{topic} question {q.key}", q.demo) for q in lesson.questions if q.demo]
    return pages, quiz


@pytest.fixture
async def course(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, sandbox_concurrency=3)
    async with running_bot(settings) as harness:
        yield harness
        await harness.built.labs.reap(harness.fake.guild_id)
        for n in range(2 * len(COURSE)):
            await harness.built.playground.forget(Owner(harness.fake.guild_id, FIRST_USER + n))


async def _run_in_order(harness: Harness, owner: Owner, demos: list[tuple[str, Demo]]) -> list[str]:
    """Run demos one after the other as one student (a lesson's pages build on
    each other); the claims that do not hold."""
    wrong = []
    for where, demo in demos:
        reply = await harness.bot.tryit.run(demo, owner, "student", "en")
        text = shown(reply)
        for pattern in demo.expect:
            if not re.search(pattern, text, re.MULTILINE):
                wrong.append(f"{where}: expected /{pattern}/ in:\n{text}")
        for pattern in demo.absent:
            if re.search(pattern, text, re.MULTILINE):
                wrong.append(f"{where}: /{pattern}/ should not be in:\n{text}")
    return wrong


async def test_every_claim_of_the_course_holds_on_this_engine(course: Harness) -> None:
    runs = []
    for n, topic in enumerate(COURSE):
        pages, quiz = claims(topic)
        guild = course.fake.guild_id
        runs.append(_run_in_order(course, Owner(guild, FIRST_USER + 2 * n), pages))
        runs.append(_run_in_order(course, Owner(guild, FIRST_USER + 2 * n + 1), quiz))
    wrong = [claim for found in await asyncio.gather(*runs) for claim in found]
    assert not wrong, "\n\n".join(wrong)
    checked = sum(len(d.expect) + len(d.absent) for t in COURSE for part in claims(t) for _, d in part)
    assert checked >= 40  # the course makes its claims in patterns, not only in prose


async def test_a_false_claim_is_caught(course: Harness) -> None:
    """The check itself can fail: a claim the engine does not bear out is reported."""
    owner = Owner(course.fake.guild_id, FIRST_USER + 99)
    false = Demo(
        kind="diff", options=(("command", "true"),), expect=("^A /tmp/never$",), absent=("^\\$ docker",)
    )
    wrong = await _run_in_order(course, owner, [("made up", false)])
    assert len(wrong) == 2 and "expected /^A /tmp/never$/" in wrong[0] and "should not be" in wrong[1]
