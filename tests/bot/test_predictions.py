"""Predictions by the whole class and the misconceptions view, through the bot
(real discord.py, the engine for the live demo, SQLite)."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from bot.lessons import load
from bot.ui.text import inline
from fakediscord import FakeUser
from fakediscord.limits import EPHEMERAL
from tests.bot.test_demos import callbacks
from tests.bot.test_lab import TEACHER
from tests.bot.test_learning import press
from tests.conftest import OTHER_STUDENT, STUDENT, Harness, make_settings, running_bot

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine

LESSONS = load()
THIRD = FakeUser(id=100000000000000003, name="student_c")
TOPIC = "writable_layer"


def prediction(topic: str) -> tuple[int, str]:
    """The first prediction of a topic whose demo is a one-shot /diff: its place and id."""
    return next(
        (i, q.key)
        for i, q in enumerate(LESSONS[topic]["nl"].questions)
        if q.demo is not None and q.demo.kind == "diff"
    )


@pytest.fixture
async def course(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(tmp_path)) as harness:
        yield harness


def channel_messages(harness: Harness, title_start: str) -> list[dict]:
    return [
        m
        for m in harness.fake.messages.values()
        if m["channel_id"] == str(harness.fake.channel_id)
        and m["embeds"]
        and str(m["embeds"][0].get("title", "")).startswith(title_start)
        and not m.get("flags", 0) & EPHEMERAL
    ]


async def click(harness: Harness, message: dict, label: str, user: FakeUser) -> str:
    custom_id = next(
        c["custom_id"] for row in message["components"] for c in row["components"] if c["label"] == label
    )
    done = await harness.session.click(message["id"], custom_id, user=user)
    answer = callbacks(done)[0]
    assert answer["data"]["flags"] & EPHEMERAL  # only the student sees what they chose
    return str(answer["data"]["content"])


async def test_a_class_predicts_then_sees_the_demo_live(course: Harness) -> None:
    index, key = prediction(TOPIC)
    question = LESSONS[TOPIC]["nl"].questions[index]
    right = "ABCD"[question.answer]
    wrong = "ABCD"[(question.answer + 1) % len(question.choices)]

    refused = await course.run("class predict", topic=TOPIC, question=key)  # a student
    assert not channel_messages(course, "🔮 Voorspel")
    assert "Je mag dit commando niet gebruiken" in course.text(refused)

    posted = await course.run("class predict", user=TEACHER, topic=TOPIC, question=key)
    assert "Geplaatst" in course.text(posted)
    (message,) = channel_messages(course, "🔮 Voorspel")
    assert question.text in message["embeds"][0]["description"]

    assert "Vastgelegd" in await click(course, message, wrong, STUDENT)
    assert right in await click(course, message, right, STUDENT)  # changed before the reveal
    await click(course, message, wrong, OTHER_STUDENT)
    await click(course, message, right, THIRD)

    revealed = await course.run("class reveal", user=TEACHER, timeout=180)
    assert "3 antwoord" in course.text(revealed)
    (reveal,) = channel_messages(course, "🔮 Zo voorspelde de klas")
    tally = reveal["embeds"][0]["description"]
    assert "3 antwoord(en)" in tally and "(67%)" in tally and "(33%)" in tally
    assert "$ docker run" in reveal["content"] and "$ docker diff" in reveal["content"]  # live
    assert reveal["allowed_mentions"] == {"parse": []}
    for student in (STUDENT, OTHER_STUDENT, THIRD):
        assert student.name not in str(reveal) and str(student.id) not in str(reveal)

    # The question's buttons are closed, and a late press is refused.
    closed = course.fake.messages[message["id"]]
    assert all(c.get("disabled") for row in closed["components"] for c in row["components"])
    assert "al onthuld" in await click(course, message, wrong, STUDENT)
    again = await course.run("class reveal", user=TEACHER)
    assert "wacht geen voorspelling" in course.text(again)

    # A quiz answer counts too: the misconceptions name the wrong answer given most.
    quiz = await course.run("quiz", user=THIRD, topic=TOPIC)
    for _ in range(index):
        await press(course, quiz, "A", user=THIRD)
        await press(course, quiz, "Volgende vraag", user=THIRD)
    await press(course, quiz, wrong, user=THIRD)
    shown = course.text(await course.run("class misconceptions", user=TEACHER, topic=TOPIC))
    assert f"{question.concept}:" in shown
    wrong_choice = inline(question.choices[(question.answer + 1) % len(question.choices)])
    assert f"2× `{wrong_choice}`" in shown

    # Forgetting a student forgets their answers.
    await course.built.privacy.forget(course.session_owner(OTHER_STUDENT))
    await course.built.privacy.forget(course.session_owner(THIRD))
    after = course.text(await course.run("class misconceptions", user=TEACHER, topic=TOPIC))
    assert f"{question.concept}: 0 van 1 antwoorden fout" in after  # only the first student's, right
    assert "×" not in after


async def test_bad_prediction_requests_get_clear_answers(course: Harness) -> None:
    nothing = await course.run("class reveal", user=TEACHER)
    assert "wacht geen voorspelling" in course.text(nothing)
    no_topic = await course.run("class predict", user=TEACHER, topic="kubernetes", question="1")
    assert "Er is geen onderwerp `kubernetes`" in course.text(no_topic)
    not_prediction = next((q.key for q in LESSONS[TOPIC]["nl"].questions if q.demo is None), "no-such-id")
    bad = await course.run("class predict", user=TEACHER, topic=TOPIC, question=not_prediction)
    assert "geen van de voorspelvragen" in course.text(bad)
    empty = await course.run("class misconceptions", user=TEACHER)
    assert "Nog geen antwoorden" in course.text(empty)
    choices = await course.autocomplete("class predict", "question", "", topic=TOPIC, user=TEACHER)
    assert choices == [q.key for q in LESSONS[TOPIC]["nl"].questions if q.demo]


async def test_a_channel_the_bot_may_not_post_in_loses_nothing(course: Harness) -> None:
    index, key = prediction(TOPIC)
    channel = str(course.fake.channel_id)
    course.fake.refused_channels.add(channel)
    refused = await course.run("class predict", user=TEACHER, topic=TOPIC, question=key)
    assert "De bot kan niet posten in dit kanaal" in course.text(refused)
    nothing = await course.run("class reveal", user=TEACHER)
    assert "wacht geen voorspelling" in course.text(nothing)  # the unposted one was dropped

    course.fake.refused_channels.clear()
    await course.run("class predict", user=TEACHER, topic=TOPIC, question=key)
    (message,) = channel_messages(course, "🔮 Voorspel")
    question = LESSONS[TOPIC]["nl"].questions[index]
    await click(course, message, "ABCD"[question.answer], STUDENT)
    course.fake.refused_channels.add(channel)  # the permission taken away before the reveal
    revealed = await course.run("class reveal", user=TEACHER, timeout=180)
    assert "De bot kan niet posten in dit kanaal" in course.text(revealed)
    assert "1 antwoord(en)" in course.text(revealed) and "(100%)" in course.text(revealed)  # to the teacher
    assert course.message(revealed)["flags"] & EPHEMERAL
    assert "$ docker diff" in course.message(revealed)["content"]  # the live demo ran all the same
    assert not channel_messages(course, "🔮 Zo voorspelde de klas")
