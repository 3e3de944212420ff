"""Buttons that last (real discord.py, engine, SQLite): every control the bot posts
works after a restart, checks who presses it, and a stale one gets a clear answer."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import docker
import pytest

from fakediscord import FakeDiscord
from fakediscord.limits import EPHEMERAL
from tests.bot.test_lab import TEACHER
from tests.bot.test_learning import LESSONS, buttons, embed_of, press
from tests.conftest import OTHER_STUDENT, STUDENT, Harness, make_settings, running_bot

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine


@pytest.fixture
async def course(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(tmp_path)) as harness:
        yield harness
        await harness.built.labs.reap(harness.fake.guild_id)


def private_text(interaction) -> str:  # type: ignore[no-untyped-def]
    """The one private answer a press got (a refusal or a notice)."""
    for record in interaction.responses:
        data = record.payload.get("data", record.payload)
        if data.get("flags", 0) & EPHEMERAL and data.get("content"):
            return str(data["content"])
    raise AssertionError(f"no private answer: {[r.payload for r in interaction.responses]}")


async def test_every_control_works_after_a_restart(
    engine: docker.DockerClient, tmp_path: Path, fake: FakeDiscord
) -> None:
    settings = make_settings(tmp_path)
    async with running_bot(settings, fake) as first:
        lesson = await first.run("learn", topic="linux")
        quiz = await first.run("quiz", topic="history")
        result = await first.run("diff", command="seq 1 5000")  # long: its output is attached
        forget = await first.run("privacy forget")
    pages = len(LESSONS["linux"]["nl"].pages)
    async with running_bot(settings, fake) as second:  # a new process's worth of memory
        await press(second, lesson, "Volgende")
        assert embed_of(second, lesson.original_id or "")["title"].endswith(f"2/{pages}")

        await press(second, quiz, "A")
        assert "Volgende vraag" in buttons(second, quiz.original_id or "")
        assert re.search("✅|❌", embed_of(second, quiz.original_id or "")["description"])

        stranger = await press(second, result, "Post in kanaal", user=OTHER_STUDENT)
        assert "Enkel wie dit uitvoerde" in private_text(stranger)
        shared = await press(second, result, "Post in kanaal")
        public = next(r for r in shared.responses if r.kind == "followup")
        assert not (public.payload.get("flags") or 0) & EPHEMERAL
        # The message is full, so who shared it is the author line of its embed.
        assert public.payload["embeds"][0]["author"]["name"] == "Gedeeld door student_a:"
        assert public.payload["allowed_mentions"] == {"parse": []}
        assert public.files == second.files(result)  # the attached output, copied whole
        posted = second.message(result)["components"][0]["components"][0]
        assert posted["disabled"] and posted["label"] == "Gepost in het kanaal"

        await press(second, forget, "Annuleren")
        assert "Er werd niets gewist" in embed_of(second, forget.original_id or "")["description"]
        assert not second.fake.violations


async def test_stale_and_foreign_controls_get_clear_answers(course: Harness) -> None:
    lesson = await course.run("learn", topic="linux")
    message = course.fake.messages[lesson.original_id or ""]
    button = message["components"][0]["components"][1]  # Next

    # A page the course no longer has (the lesson was shortened since).
    button["custom_id"] = re.sub(r":\d+:next$", ":99:next", button["custom_id"])
    gone = await course.session.click(message["id"], button["custom_id"], user=STUDENT)
    assert "Deze lespagina bestaat niet meer" in private_text(gone)

    # A button of a message posted by an older version of the bot (a view that lived in memory).
    button["custom_id"] = "0f" * 16
    old = await course.session.click(message["id"], button["custom_id"], user=STUDENT)
    assert "oudere versie van de bot" in private_text(old)

    # A quiz started again: the first message's buttons say so.
    first = await course.run("quiz", topic="history")
    again = await course.run("quiz", topic="history")
    stale = await press(course, first, "A")
    assert "Deze quiz is voorbij" in private_text(stale)
    assert "Quiz" in embed_of(course, first.original_id or "")["title"]  # left as it was

    # Two answers at once (a double click): one counts, the other is told.
    b = buttons(course, again.original_id or "")
    both = await asyncio.gather(
        course.session.click(again.original_id or "", b["A"], user=STUDENT),
        course.session.click(again.original_id or "", b["B"], user=STUDENT),
    )
    refused = [i for i in both if any("al beantwoord" in str(r.payload) for r in i.responses)]
    assert len(refused) == 1
    quiz_id = int(b["A"].split(":")[2])
    row = await course.built.learning.quiz(quiz_id)
    assert row is not None and row.answer in (0, 1) and row.score <= 1

    # Someone else's quiz.
    foreign = await press(course, again, "Volgende vraag", user=OTHER_STUDENT)
    assert "iemand anders" in private_text(foreign)

    # A form submitted that this bot never opened (it was open across a restart):
    # nothing saved, and what was typed comes back to copy.
    orphan = await course.session.submit(
        "layerlab:exercise-form::0badf00d",
        {"title": "Mijn oefening", "instructions": "Maak /tmp/x.", "checks": "image mine", "hints": ""},
        user=TEACHER,
    )
    text = private_text(orphan)
    assert "niet bewaard" in text and "Mijn oefening" in text and "Maak /tmp/x." in text
    assert "mijn-oefening" not in await course.built.exercises.ids(course.fake.guild_id)


async def test_a_quiz_result_counts_once(course: Harness) -> None:
    lesson = LESSONS["overlayfs"]["nl"]
    it = await course.run("quiz", topic="overlayfs")
    letters = "ABCD"
    for index, question in enumerate(lesson.questions):
        await press(course, it, letters[question.answer])
        label = "Afronden" if index == len(lesson.questions) - 1 else "Volgende vraag"
        if label == "Afronden":
            finish = buttons(course, it.original_id or "")[label]
            await asyncio.gather(
                course.session.click(it.original_id or "", finish, user=STUDENT),
                course.session.click(it.original_id or "", finish, user=STUDENT),
            )
        else:
            await press(course, it, label)
    owner = course.session_owner(STUDENT)
    stored = await course.built.repos.privacy.stored_about(owner.guild_id, owner.user_id)
    assert stored.quiz_attempts == 1  # one finished quiz, whatever the clicks
    assert "Je score: **" in embed_of(course, it.original_id or "")["description"]


async def test_a_stopping_bot_refuses_new_work_clearly(course: Harness) -> None:
    lesson = await course.run("learn", topic="linux")
    course.bot.presenter.closing = True
    try:
        refused = await course.run("diff")
        assert "De bot wordt herstart" in course.message(refused)["content"]
        pressed = await press(course, lesson, "Volgende")
        assert "De bot wordt herstart" in private_text(pressed)
    finally:
        course.bot.presenter.closing = False
