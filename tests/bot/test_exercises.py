"""Exercises that check themselves and the teacher's side, through the bot on the real engine."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fakediscord import FakeInteraction
from fakediscord.limits import EPHEMERAL
from tests.bot.test_lab import TEACHER
from tests.conftest import OTHER_STUDENT, STUDENT, Harness, make_settings, running_bot

NETWORK = {
    # The seed's exercises install packages: from the local Debian mirror (apt_network).
    "sandbox_timeout": 240.0,
    "sandbox_memory_mb": 512,
    "sandbox_writable_mb": 512,
    "sandbox_file_size_mb": 256,
}


@pytest.fixture
async def course(apt_network: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(tmp_path, sandbox_network=apt_network, **NETWORK)) as harness:
        yield harness
        await harness.built.labs.reap(harness.fake.guild_id)
        for user in (STUDENT, OTHER_STUDENT):
            await harness.built.fleet.engines[0].sandbox.images.remove_all(harness.session_owner(user))


def report(harness: Harness, it: FakeInteraction) -> str:
    return harness.text(it)


async def check(harness: Harness, exercise: str, **kwargs: object) -> str:
    return report(harness, await harness.run("exercise check", id=exercise, **kwargs))  # type: ignore[arg-type]


async def test_the_seed_exercises_right_and_wrong(course: Harness) -> None:
    # 1. ubuntu_ping, wrong first: no image yet, then an image without ping.
    wrong = await check(course, "ubuntu_ping")
    assert "Nog niet" in wrong and "Je hebt nog geen image `myubuntu`" in wrong
    await course.run("commit", name="myubuntu", command="echo not ping > /tmp/x")
    still = await check(course, "ubuntu_ping")
    assert "✅ `image myubuntu`" in still and "❌ `run myubuntu command -v ping`" in still
    assert "❌ `run myubuntu dpkg -s iputils-ping`" in still
    # The slides' way: a container (the lab container), then a commit of it. The
    # check looks at what the image holds, so CREATED BY being `bash` is fine.
    await course.run("lab run", command="apt update && apt -y install iputils-ping", timeout=300)
    committed = await course.run("lab commit", name="myubuntu", timeout=120)
    assert '["bash"]' in course.text(committed)  # the lab container's command is the new CMD
    passed = await check(course, "ubuntu_ping")
    assert "Geslaagd" in passed and "Voor het eerst geslaagd" in passed
    # And in one go with /commit, for another student.
    done = await course.run(
        "commit",
        name="myubuntu",
        command="apt update && apt -y install iputils-ping",
        timeout=300,
        user=OTHER_STUDENT,
    )
    assert "Setting up iputils-ping" in (
        course.files(done).get("commit.txt", b"").decode() or course.message(done)["content"]
    )
    assert "Geslaagd" in await check(course, "ubuntu_ping", user=OTHER_STUDENT)

    # 2. writable_layer: the discovery stays the student's (the checks are not shown),
    # and the answer is the folder on the host, as this engine lays it out.
    await course.run("lab rm")
    await course.run("lab run", command="echo Hallo > /tmp/testfile")
    wrong = await check(course, "writable_layer")
    assert "❌ Wat je moest ontdekken (controle 1)" in wrong and "/var/lib/apt/lists" not in wrong
    await course.run("lab run", command="apt update", timeout=300)
    unanswered = await check(course, "writable_layer")
    assert unanswered.count("✅") == 2 and "❌ Wat je moest ontdekken (controle 3)" in unanswered
    assert "Nog niet" in await check(course, "writable_layer", answer="/var/lib/apt/lists")
    assert "Dat antwoord is te lang (hoogstens 500 tekens)" in await check(
        course, "writable_layer", answer="/var/" * 101
    )
    _, view = await course.built.labs.host(course.session_owner(STUDENT))
    answer = f"`{view.upper_dir}/var/lib/apt/lists/`"  # as copied, backticks and all
    assert "Geslaagd" in await check(course, "writable_layer", answer=answer)

    # 3. sl: from myubuntu, without apt update (myubuntu has the package lists).
    await course.run("lab run", command="apt -y install sl", timeout=300)
    wrong = await check(course, "sl")
    assert "❌ `lab myubuntu`" in wrong and "/lab rm" in wrong
    await course.run("lab rm")
    # New package lists in the diff are apt update's work, not sl's (an apt update
    # over current lists changes nothing; lists fetched anew do).
    fresh_lists = "rm -rf /var/lib/apt/lists/* && apt update && apt -y install sl"
    await course.run("lab run", image="myubuntu", command=fresh_lists, timeout=300)
    again = await check(course, "sl")
    assert "✅ `lab myubuntu`" in again and "pakketlijsten" in again and "Nog niet" in again
    await course.run("lab rm")
    await course.run("lab run", image="myubuntu", command="apt -y install sl", timeout=300)
    assert "Geslaagd" in await check(course, "sl")

    listing = course.message(await course.run("exercise list"))["content"]
    for exercise in ("ubuntu_ping", "writable_layer", "sl"):
        assert any(exercise in line and "geslaagd" in line for line in listing.splitlines())
    progress = await course.run("progress")
    field = next(f for f in course.message(progress)["embeds"][0]["fields"] if f["name"] == "Oefeningen")
    assert "3/4 geslaagd" in field["value"]  # the fourth, overlayfs, is done in the playground


async def test_teachers_create_post_and_close_and_students_cannot(course: Harness) -> None:
    refused = await course.run("exercise create")
    assert "Je mag dit commando niet gebruiken" in course.message(refused)["content"]
    hidden = await course.run("class progress")
    assert "Je mag dit commando niet gebruiken" in course.message(hidden)["content"]

    form = await course.run("exercise create", user=TEACHER)
    modal = form.responses[0].payload
    assert modal["type"] == 9
    custom_id = modal["data"]["custom_id"]
    bad = await course.session.submit(
        custom_id,
        {
            "title": "Hallo",
            "instructions": "Maak /tmp/testfile.",
            "checks": "image mine\nfile /tmp/testfile has Hallo",
            "hints": "",
        },
        user=TEACHER,
    )
    text = bad.responses[0].payload["data"]["content"]
    assert "Regel 2 past niet bij de controle" in text and "file <path> contains <text>" in text
    assert "hallo" not in await course.built.exercises.ids(course.fake.guild_id)  # nothing saved

    # A student who submits a teacher's open form (the role taken away meanwhile, say) is refused.
    form = await course.run("exercise create", user=TEACHER)
    sneaky = await course.session.submit(
        form.responses[0].payload["data"]["custom_id"],
        {"title": "Sneaky", "instructions": "Niets.", "checks": "image mine", "hints": ""},
        user=STUDENT,
    )
    answer = sneaky.responses[-1].payload
    assert "Je mag dit commando niet gebruiken" in answer.get("data", answer)["content"]
    assert "sneaky" not in await course.built.exercises.ids(course.fake.guild_id)

    # The form closes on every submit (as in Discord): open it again.
    form = await course.run("exercise create", user=TEACHER)
    good = await course.session.submit(
        form.responses[0].payload["data"]["custom_id"],
        {
            "title": "Hallo bestand",
            "instructions": "Maak /tmp/testfile met Hallo erin, in je labcontainer.",
            "checks": "file /tmp/testfile contains Hallo -- Staat Hallo in /tmp/testfile?",
            "hints": "Gebruik echo.",
        },
        user=TEACHER,
    )
    assert "Bewaard als `hallo-bestand`" in good.responses[0].payload["data"]["content"]

    before = len(course.fake.records)
    posted = await course.run("exercise post", user=TEACHER, id="hallo-bestand", deadline="2099-01-01 12:00")
    assert "staat in het kanaal" in course.message(posted)["content"]
    public = [r for r in course.fake.records[before:] if r.kind == "channel_message"]
    assert len(public) == 1
    message = course.fake.messages[public[0].message_id or ""]
    assert not message["flags"] & EPHEMERAL and message["allowed_mentions"] == {"parse": []}
    assert message["embeds"][0]["title"].startswith("Hallo bestand")
    start_id = message["components"][0]["components"][0]["custom_id"]

    started = await course.session.click(message["id"], start_id, user=STUDENT)
    shown = started.responses[-1].payload
    assert shown["flags"] & EPHEMERAL and "Maak /tmp/testfile" in shown["embeds"][0]["description"]
    owner = course.session_owner(STUDENT)
    assert await course.built.fleet.engines[0].sandbox.labs.find(owner) is not None  # the lab is open

    assert "❌" in await check(course, "hallo-bestand")
    await course.run("lab run", command="echo Hallo > /tmp/testfile")
    assert "Geslaagd" in await check(course, "hallo-bestand")

    closed = await course.run("exercise close", user=TEACHER, id="hallo-bestand")
    assert "gesloten" in course.message(closed)["content"]
    after = await course.run("exercise check", id="hallo-bestand")
    assert "kan niet meer gecontroleerd worden" in course.message(after)["content"]


async def test_class_progress_csv_stuck_and_deadlines(course: Harness) -> None:
    store = course.built.repos.exercises
    guild = course.fake.guild_id
    # A deadline in the past: checks are still taken, and recorded as late.
    exercises = course.built.exercises
    await exercises.post(
        guild, "ubuntu_ping", channel_id=course.fake.channel_id, deadline="2020-01-01", lang="nl"
    )
    for _ in range(3):
        text = await check(course, "ubuntu_ping")
        assert "te laat" in text
    await course.run("lab run", command="true", user=OTHER_STUDENT)  # known, never tried

    it = await course.run("class progress", user=TEACHER, exercise="ubuntu_ping")
    rows = list(csv.DictReader(io.StringIO(course.files(it)["class-progress.csv"].decode())))
    mine = next(r for r in rows if r["user_id"] == str(STUDENT.id))
    theirs = next(r for r in rows if r["user_id"] == str(OTHER_STUDENT.id))
    attempts = [a for a in await store.attempts(guild, STUDENT.id) if a.exercise_id == "ubuntu_ping"]
    assert mine == {
        "user_id": str(STUDENT.id),
        "display_name": "student_a",
        "exercise": "ubuntu_ping",
        "status": "tried",
        "attempts": str(len(attempts)),
        "first_pass": "",
        "last_attempt": attempts[-1].created_at.astimezone(exercises.zone).strftime("%Y-%m-%d %H:%M"),
        "late": "",
    }
    assert all(a.late for a in attempts)
    assert theirs["status"] == "not started" and theirs["attempts"] == "0"

    stuck = await course.run("class stuck", user=TEACHER)
    content = course.message(stuck)["content"]
    assert "student_a" in content and "ubuntu_ping" in content and "image myubuntu" in content

    summary = course.message(it)["content"]
    assert "ubuntu_ping" in summary
    assert datetime.now(UTC) - attempts[-1].created_at < timedelta(minutes=5)


async def test_teacher_mistakes_get_clear_answers(course: Harness) -> None:
    builtin = await course.run("exercise edit", user=TEACHER, id="ubuntu_ping")
    assert "hoort bij de bot en kan niet gewijzigd worden" in course.message(builtin)["content"]
    unknown = await course.run("exercise post", user=TEACHER, id="nope")
    assert "Er is geen oefening `nope`" in course.message(unknown)["content"]
    bad_date = await course.run("exercise post", user=TEACHER, id="sl", deadline="volgende vrijdag")
    assert "is geen datum" in course.message(bad_date)["content"]
    assert "sl" not in await course.built.repos.exercises.states(
        course.fake.guild_id
    )  # nothing posted or saved
    student = await course.run("exercise check", id="nope")
    assert "Er is geen oefening `nope`" in course.message(student)["content"]
