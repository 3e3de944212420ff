"""Lessons, quizzes, progress, language and privacy through the bot (real discord.py, engine, SQLite)."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from bot.lessons import load
from fakediscord import FakeInteraction, FakeUser
from fakediscord.limits import EPHEMERAL
from tests.bot.test_demos import callbacks
from tests.bot.test_lab import TEACHER, lab_containers
from tests.bot.test_overlay import playgrounds
from tests.conftest import OTHER_STUDENT, STUDENT, Harness, make_settings, running_bot

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine

LESSONS = load()


@pytest.fixture
async def course(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(tmp_path)) as harness:
        yield harness
        await harness.built.labs.reap(harness.fake.guild_id)


def buttons(harness: Harness, message_id: str) -> dict[str, str]:
    """label -> custom_id of the buttons on a message, as it is now."""
    message = harness.fake.messages[message_id]
    return {
        c["label"]: c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if "custom_id" in c
    }


def embed_of(harness: Harness, message_id: str) -> dict:
    return harness.fake.messages[message_id]["embeds"][0]


async def press(
    harness: Harness, it: FakeInteraction, label: str, *, user: FakeUser = STUDENT, locale: str = "nl"
) -> FakeInteraction:
    assert it.original_id
    custom_id = buttons(harness, it.original_id)[label]
    return await harness.session.click(it.original_id, custom_id, user=user, locale=locale)


async def test_reading_pages_and_trying_a_demo(course: Harness) -> None:
    listing = await course.run("learn")
    fields = course.message(listing)["embeds"][0]["fields"]
    assert len(fields) == 9 and fields[0]["name"] == "1. Hoe werken containers in Linux?"

    it = await course.run("learn", topic="linux")
    lesson = LESSONS["linux"]["nl"]
    assert embed_of(course, it.original_id or "")["title"] == f"{lesson.title} · 1/{len(lesson.pages)}"
    assert course.message(it)["flags"] & EPHEMERAL
    assert buttons(course, it.original_id or "").keys() == {"Vorige", "Volgende", "Probeer het"}

    stranger = await press(course, it, "Volgende", user=OTHER_STUDENT)
    refusal = callbacks(stranger)[0]
    assert refusal["data"]["flags"] & EPHEMERAL and "iemand anders" in refusal["data"]["content"]
    assert embed_of(course, it.original_id or "")["title"].endswith(f"1/{len(lesson.pages)}")  # unchanged

    turned = await press(course, it, "Volgende")
    assert callbacks(turned)[0]["type"] == 7  # the same message, updated
    assert embed_of(course, it.original_id or "")["title"].endswith(f"2/{len(lesson.pages)}")
    await press(course, it, "Vorige")
    assert embed_of(course, it.original_id or "")["title"].endswith(f"1/{len(lesson.pages)}")

    tried = await press(course, it, "Probeer het")
    demo = tried.responses[-1]
    assert demo.kind == "followup" and demo.payload["flags"] & EPHEMERAL
    shown = demo.payload["content"]
    assert "$ docker run -t layerlab-test/debian:bookworm /bin/sh -c 'hostname; uname -r;" in shown
    import platform

    assert platform.release() in shown  # the container runs on the host's kernel

    progress = (await course.built.learning.progress(course.session_owner(STUDENT), "nl"))[0]
    assert (progress.pages_read, progress.demos_run) == (2, 1)


async def test_a_full_quiz_with_right_wrong_and_live_answers(course: Harness) -> None:
    lesson = LESSONS["writable_layer"]["en"]
    it = await course.run("quiz", topic="writable_layer", locale="en-US")
    letters = "ABCD"
    picks = [
        q.answer if i % 2 == 0 else (q.answer + 1) % len(q.choices) for i, q in enumerate(lesson.questions)
    ]
    for number, (question, pick) in enumerate(zip(lesson.questions, picks, strict=True), start=1):
        embed = embed_of(course, it.original_id or "")
        assert embed["title"] == f"Quiz: {lesson.title} · {number}/{len(lesson.questions)}"
        answered = await press(course, it, letters[pick], locale="en-US")
        after = embed_of(course, it.original_id or "")["description"]
        assert ("✅ Right!" in after) == (pick == question.answer)
        assert question.explain in after
        if question.demo is not None:  # a prediction: the bot ran it and shows the real output
            assert callbacks(answered)[0]["type"] == 6
            content = course.fake.messages[it.original_id or ""]["content"]
            assert "What really happened on the lab host" in content and "$ docker run -t" in content
        label = "Finish" if number == len(lesson.questions) else "Next question"
        await press(course, it, label, locale="en-US")
    final = embed_of(course, it.original_id or "")
    score = sum(p == q.answer for p, q in zip(picks, lesson.questions, strict=True))
    total = len(lesson.questions)
    assert f"You scored **{score}/{total}**" in final["description"]

    again = await course.run("quiz", topic="writable_layer", locale="en-US")
    for question in lesson.questions:
        await press(course, again, letters[question.answer], locale="en-US")
        last = question is lesson.questions[-1]
        await press(course, again, "Finish" if last else "Next question", locale="en-US")
    best = embed_of(course, again.original_id or "")["description"]
    assert f"best score on this topic: **{total}/{total}**" in best

    progress = await course.run("progress", locale="en-US")
    line = next(f for f in course.message(progress)["embeds"][0]["fields"] if lesson.title in f["name"])
    assert f"quiz {total}/{total} (latest {total})" in line["value"]


async def test_progress_of_someone_else_is_for_teachers(course: Harness) -> None:
    await course.run("learn", topic="history", user=OTHER_STUDENT)
    student = await course.session.command("progress", user=STUDENT, options={"user": OTHER_STUDENT})
    assert "Je mag dit commando niet gebruiken" in course.message(student)["content"]
    teacher = await course.session.command("progress", user=TEACHER, options={"user": OTHER_STUDENT})
    embed = course.message(teacher)["embeds"][0]
    assert embed["title"] == "Voortgang van student\\_b"
    history = next(f for f in embed["fields"] if "docker history" in f["name"])
    assert "pagina's 1/3" in history["value"]


async def test_language_by_locale_and_by_choice(course: Harness) -> None:
    english = await course.run("learn", topic="linux", locale="en-GB")
    assert embed_of(course, english.original_id or "")["title"].startswith("How do containers work on Linux?")
    dutch = await course.run("learn", topic="linux", locale="nl")
    assert embed_of(course, dutch.original_id or "")["title"].startswith("Hoe werken containers in Linux?")

    chosen = await course.run("settings language", language="en", locale="nl")
    assert "English" in callbacks(chosen)[0]["data"]["content"]
    now_english = await course.run("diff", locale="nl")  # the choice wins over the locale
    assert "writable layer" in course.text(now_english)
    await course.run("settings language", language="auto", locale="nl")
    back = await course.run("diff", locale="nl")
    assert "beschrijfbare laag" in course.text(back)


async def test_privacy_forget_removes_everything_of_that_student_only(
    course: Harness, engine: docker.DockerClient
) -> None:
    for user in (STUDENT, OTHER_STUDENT):
        await course.run("learn", topic="linux", user=user)
        await course.run("commit", name="mine", command="true", user=user)
        await course.run("lab run", command="true", user=user)
        await course.run("overlay run", command="true", user=user)
        await course.run("settings language", language="en", user=user)
    store = course.built.repos.privacy
    guild = course.fake.guild_id

    shown = await course.run("privacy show", locale="en-US")
    assert "1 image(s) of your own" in course.text(shown) and "a lab container: yes" in course.text(shown)
    assert "an OverlayFS playground: yes" in course.text(shown)

    it = await course.run("privacy forget")
    refused = await press(course, it, "Yes, delete everything", user=OTHER_STUDENT)
    assert callbacks(refused)[0]["data"]["flags"] & EPHEMERAL
    assert "someone else's message" in callbacks(refused)[0]["data"]["content"]
    assert (await store.stored_about(guild, STUDENT.id)).runs > 0  # nothing happened yet

    await press(course, it, "Yes, delete everything")
    assert "deleted" in embed_of(course, it.original_id or "")["description"]
    about = await store.stored_about(guild, STUDENT.id)
    assert (about.runs, about.progress, about.quiz_attempts, about.labs, about.settings) == (0, 0, 0, 0, 0)
    assert not lab_containers(engine, STUDENT) and not playgrounds(engine, STUDENT.id)
    assert not engine.images.list(filters={"label": f"org.layerlab.owner={STUDENT.id}"})

    other = await store.stored_about(guild, OTHER_STUDENT.id)
    assert other.runs > 0 and other.progress > 0 and other.labs == 1 and other.settings == 1
    assert lab_containers(engine, OTHER_STUDENT)
    assert engine.images.list(filters={"label": f"org.layerlab.owner={OTHER_STUDENT.id}"})
    assert playgrounds(engine, OTHER_STUDENT.id)
    await course.run("rmi", name="mine", user=OTHER_STUDENT)
    await course.built.playground.forget(course.session_owner(OTHER_STUDENT))


async def test_progress_survives_a_restart(engine: docker.DockerClient, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with running_bot(settings) as first:
        it = await first.run("learn", topic="overlayfs")
        await press(first, it, "Volgende")
        await first.run("settings language", language="en")
    async with running_bot(settings) as second:
        progress = await second.run("progress")
        line = next(f for f in second.message(progress)["embeds"][0]["fields"] if "OverlayFS" in f["name"])
        assert "pages 2/8" in line["value"]  # and in English: the choice was kept too


async def test_an_unknown_topic_and_an_unknown_choice_get_clear_answers(course: Harness) -> None:
    unknown = await course.run("learn", topic="kubernetes")
    assert "Er is geen onderwerp `kubernetes`" in course.message(unknown)["content"]
    # A value Discord would never send for a choice option still gets an answer, not silence.
    top, options, _ = course.session.build("settings language", {"language": "nl"})
    options[0]["options"][0]["value"] = "de"
    odd = await course.session._wait_done(lambda: course.fake.slash(top, options, user=STUDENT), timeout=30)
    assert "`de` is geen geldige waarde" in callbacks(odd)[0]["data"]["content"]
    assert course.built.preferences.language(STUDENT.id) is None  # nothing was changed
