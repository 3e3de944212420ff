"""/ask, /answer, /faq and /questions through the bot, with threads in the fake Discord."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from fakediscord import FakeDiscord
from fakediscord.limits import EPHEMERAL
from tests.bot.test_lab import TEACHER
from tests.conftest import OTHER_STUDENT, STUDENT, Harness, make_settings, running_bot

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine


def qna_settings(tmp_path: Path, **extra: object):  # type: ignore[no-untyped-def]
    return make_settings(tmp_path, qna_channel=FakeDiscord().channel_id, ask_per_hour=3, **extra)


@pytest.fixture
async def course(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(qna_settings(tmp_path)) as harness:
        yield harness


def thread_of(harness: Harness, question_id: int) -> str:
    thread = next(t for t in harness.fake.threads.values() if t["name"].startswith(f"#{question_id} "))
    return thread["id"]


async def test_the_lessons_answer_at_once_and_the_question_gets_a_thread(course: Harness) -> None:
    it = await course.run("ask", question="Wat is een whiteout?")
    message = course.message(it)
    assert message["flags"] & EPHEMERAL
    first = message["embeds"][0]["fields"][0]["name"]
    assert first.startswith(("📘 OverlayFS — Whiteouts", "📘 OverlayFS — Een whiteout")), first
    public = course.fake.channel_messages(str(course.fake.channel_id))[-1]
    assert public["content"].startswith("**Vraag #1** van student\\_a:")
    assert public["allowed_mentions"] == {"parse": []}
    assert thread_of(course, 1) == public["id"]


async def test_routed_to_teachers_with_the_last_run_answered_by_command(course: Harness) -> None:
    await course.run("diff", command="ls /nope; exit 4")
    await course.run("ask", question="Waarom faalt mijn ls @everyone?", include_last_run=True, anonymous=True)
    thread = thread_of(course, 1)
    in_thread = course.fake.channel_messages(thread)
    assert "Laatste run toegevoegd" in in_thread[0]["content"]
    assert "exit=4" in in_thread[0]["content"] and "$ ls /nope; exit 4" in in_thread[0]["content"]
    assert (
        "ls: cannot access '/nope': No such file or directory" in in_thread[0]["content"]
    )  # the output's start
    public = course.fake.messages[thread]
    assert (
        "Een student" in public["content"] and "student_a" not in public["content"]
    )  # anonymous to students
    assert "@\u200beveryone" in public["content"]  # escaped, and no mention allowed anyway

    listing = await course.run("questions list", user=TEACHER)
    embed = course.message(listing)["embeds"][0]
    assert "student\\_a 🕶" in embed["description"] and "📎" in embed["description"]  # teachers see who asked

    refused = await course.run("answer", id=1, text="Zelf doen")
    assert "Je mag dit commando niet gebruiken" in course.message(refused)["content"]

    await course.run(
        "answer", user=TEACHER, id=1, text="/nope bestaat niet: ls geeft exitcode 2, en dan exit 4."
    )
    after = course.fake.channel_messages(thread)
    notify = after[-1]
    assert notify["content"].startswith(f"<@{STUDENT.id}>")
    assert notify["allowed_mentions"] == {"parse": [], "users": [STUDENT.id]}  # that one user, nobody else
    assert "ls geeft exitcode 2" in after[-2]["content"]
    question = await course.built.qna.get(course.fake.guild_id, 1)
    assert question.status == "answered"

    faq = await course.run("faq", query="waarom faalt ls", user=OTHER_STUDENT)
    fields = course.message(faq)["embeds"][0]["fields"]
    assert fields[0]["name"].startswith("💬") and "exitcode 2" in fields[0]["value"]


async def test_an_answer_by_thread_reply_and_a_restart_in_between(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    settings = qna_settings(tmp_path, message_content_intent=True)  # to read the thread
    discord_side = FakeDiscord()  # Discord keeps its threads while the bot restarts
    await discord_side.start()
    try:
        async with running_bot(settings, discord_side) as first:
            await first.run("ask", question="Hoe zie ik de inhoud van een image layer?")
            thread = thread_of(first, 1)
        async with running_bot(settings, discord_side) as second:
            none_yet = await second.run("answer", user=TEACHER, id=1)
            assert "nog geen reactie van een lector" in second.message(none_yet)["content"]
            discord_side.post_as(thread, OTHER_STUDENT, "Ik weet het ook niet")  # not a teacher: ignored
            discord_side.post_as(thread, TEACHER, "Met `docker save`: elke layer is een tar-bestand.")
            done = await second.run("answer", user=TEACHER, id=1)
            assert "is beantwoord" in second.message(done)["content"]
            question = await second.built.qna.get(second.fake.guild_id, 1)
            assert (
                question.status == "answered"
                and question.answer == "Met `docker save`: elke layer is een tar-bestand."
            )
            notify = discord_side.channel_messages(thread)[-1]
            assert notify["allowed_mentions"] == {"parse": [], "users": [STUDENT.id]}
    finally:
        await discord_side.stop()


async def test_use_as_answer_needs_no_message_content_intent(course: Harness) -> None:
    assert not course.bot.intents.message_content  # the privileged intent is not asked for
    await course.run("ask", question="Waarom is mijn image zo groot?")
    await course.run("ask", question="Wat doet docker commit?", user=OTHER_STUDENT)
    thread = thread_of(course, 1)
    reply = course.fake.post_as(thread, TEACHER, "Elke `RUN` maakt een layer: ruim op in dezelfde `RUN`.")
    chatter = course.fake.post_as(course.fake.channel_payload()["id"], TEACHER, "Pauze tot 11u.")

    # /answer without text cannot read the thread now, and says what to do instead.
    blind = await course.run("answer", user=TEACHER, id=1)
    assert "Gebruik als antwoord" in course.message(blind)["content"]

    student = await course.session.message_command("Use as answer", reply["id"], user=STUDENT)
    assert "Je mag dit commando niet gebruiken" in course.message(student)["content"]
    elsewhere = await course.session.message_command("Use as answer", chatter["id"], user=TEACHER)
    assert "niet in de thread van een vraag" in course.message(elsewhere)["content"]
    sticker = course.fake.post_as(thread, TEACHER, "")  # an attachment or a sticker only
    empty = await course.session.message_command("Use as answer", sticker["id"], user=TEACHER)
    assert "heeft geen tekst" in course.message(empty)["content"]
    assert (await course.built.qna.get(course.fake.guild_id, 1)).status == "open"  # nothing answered

    used = await course.session.message_command("Use as answer", reply["id"], user=TEACHER)
    assert "Vraag #1 is beantwoord" in course.message(used)["content"]
    question = await course.built.qna.get(course.fake.guild_id, 1)
    assert question.status == "answered" and question.answer.startswith("Elke `RUN` maakt een layer")
    assert (await course.built.qna.get(course.fake.guild_id, 2)).status == "open"  # only #1
    notify = course.fake.channel_messages(thread)[-1]
    assert notify["allowed_mentions"] == {"parse": [], "users": [STUDENT.id]}


async def test_closing_a_duplicate_says_why_in_its_thread(course: Harness) -> None:
    await course.run("ask", question="Wat is een whiteout?")
    await course.run("ask", question="Wat is een whiteout precies?", user=OTHER_STUDENT)
    await course.run("questions close", user=TEACHER, id=2, reason="zie #1")
    assert (
        course.fake.channel_messages(thread_of(course, 2))[-1]["content"]
        == "Deze vraag werd gesloten: zie #1"
    )
    listing = await course.run("questions list", user=TEACHER, status="closed")
    assert "#2" in course.message(listing)["embeds"][0]["description"]


async def test_answering_a_question_that_does_not_exist(course: Harness) -> None:
    missing = await course.run("answer", user=TEACHER, id=99, text="Antwoord")
    assert "Er is geen vraag #99" in course.message(missing)["content"]


async def test_rate_limit_and_length(course: Harness) -> None:
    for n in range(3):
        ok = await course.run("ask", question=f"Vraag nummer {n} over layers")
        assert "staat in het Q&A-kanaal" in course.message(ok)["content"]
    limited = await course.run("ask", question="Nog een vraag")
    assert "het maximum" in course.message(limited)["content"]
    long = await course.run("ask", question="x" * 1200, user=OTHER_STUDENT)
    assert "te lang" in course.message(long)["content"]
