"""The bot end to end: real discord.py against FakeDiscord, real engine, real SQLite."""

from __future__ import annotations

import asyncio
import re
import subprocess

import docker
import pytest

from bot.sandbox.client import engine_name
from fakediscord import FakeInteraction
from fakediscord.limits import EPHEMERAL
from tests.conftest import ENGINE_URL, LAYERED, OTHER_STUDENT, STUDENT, Harness, storage_driver

NO_MENTIONS = {"parse": []}


def callbacks(interaction: FakeInteraction) -> list[dict]:
    return [r.payload for r in interaction.responses if r.kind == "callback"]


def code(message: dict) -> str:
    """The text inside the first code block, as a reader sees it."""
    content = message["content"].replace("\u200b", "")
    match = re.search(r"```\n(.*?)```", content, re.S)
    assert match, content
    return match.group(1)


async def test_diff_answers_privately_at_once_then_shows_the_cli_text(harness: Harness) -> None:
    it = await harness.run("diff")
    first = callbacks(it)[0]
    assert first["type"] == 5 and first["data"]["flags"] & EPHEMERAL  # deferred, private
    message = harness.message(it)
    text = code(message)
    assert "$ docker run -t layerlab-test/debian:bookworm /bin/sh -c 'echo Hallo > /tmp/testfile'" in text
    assert re.search(r"\$ docker diff (\w+)\nC /tmp\nA /tmp/testfile\n\$ docker rm \1\n\1\n", text)
    assert message["allowed_mentions"] == NO_MENTIONS
    embed = message["embeds"][0]
    assert "beschrijfbare laag" in embed["description"]  # Dutch: the locale is nl
    assert {f["name"]: f["value"] for f in embed["fields"]}["Exitcode"] == "0"
    assert message["components"][0]["components"][0]["label"] == "Post in kanaal"


async def test_language_follows_the_locale(harness: Harness) -> None:
    english = await harness.run("diff", locale="en-US")
    assert "writable layer" in harness.text(english)
    other = await harness.run("diff", locale="de")  # no German: the configured default (nl)
    assert "beschrijfbare laag" in harness.text(other)


async def test_hostile_output_cannot_ping_or_break_the_block(harness: Harness) -> None:
    it = await harness.run(
        "diff", command="echo '@everyone <@123> ``` **bold**'; printf '\\140\\140\\140\\n'"
    )
    message = harness.message(it)
    assert message["allowed_mentions"] == NO_MENTIONS
    inner = message["content"][4:-4]  # between the opening and closing fences
    assert "``" not in inner
    assert message["content"].count("```") == 2
    assert "@everyone <@123>" in inner


async def test_long_output_is_cut_and_attached_whole(harness: Harness) -> None:
    it = await harness.run("diff", command="seq 1 5000")
    message = harness.message(it)
    assert len(message["content"]) <= 2000
    files = harness.files(it)
    assert set(files) == {"diff.txt"}
    whole = files["diff.txt"].decode()
    assert "\n1\n2\n" in whole and "\n5000\n" in whole
    assert "diff.txt" in message["content"]  # the reader is told where the rest is


async def test_share_button_posts_for_everyone_once(harness: Harness) -> None:
    it = await harness.run("history", image=LAYERED)
    message = harness.message(it)
    custom_id = message["components"][0]["components"][0]["custom_id"]

    stranger = await harness.session.click(message["id"], custom_id, user=OTHER_STUDENT)
    refusal = callbacks(stranger)[0]
    assert refusal["data"]["flags"] & EPHEMERAL and "Enkel wie" in refusal["data"]["content"]

    # A double click: both presses arrive before the message changes; it is posted once.
    shared, again = await asyncio.gather(
        harness.session.click(message["id"], custom_id, user=STUDENT),
        harness.session.click(message["id"], custom_id, user=STUDENT),
    )
    assert "Je hebt dit al gepost" in callbacks(again)[0]["data"]["content"]
    assert callbacks(again)[0]["data"]["flags"] & EPHEMERAL
    assert not any(r.kind == "followup" for r in again.responses)  # nothing posted twice
    assert callbacks(shared)[0]["type"] == 6  # the private message is updated ...
    public = next(r.payload for r in shared.responses if r.kind == "followup")  # ... and this is new
    assert not (public.get("flags") or 0) & EPHEMERAL
    assert public["allowed_mentions"] == NO_MENTIONS
    assert public["content"].startswith("Gedeeld door student\\_a:")
    assert "docker history layerlab-test/layered:latest" in public["content"]

    # Posted once: the button is now a disabled "Posted in the channel".
    after = harness.fake.messages[message["id"]]["components"][0]["components"]
    assert [(b["label"], b.get("disabled")) for b in after] == [("Gepost in het kanaal", True)]


async def test_history_is_the_cli_output(harness: Harness) -> None:
    for full, flags in ((False, []), (True, ["--no-trunc"])):
        it = await harness.run("history", image="layerlab-test/layered", full=full)
        expected = subprocess.run(
            ["docker", "history", *flags, LAYERED], check=True, capture_output=True, text=True
        ).stdout
        shown = code(harness.message(it))
        assert shown.startswith(f"$ docker history{' --no-trunc' if full else ''} {LAYERED}\n")
        files = harness.files(it)
        if full:  # too wide for one message: cut there, and attached whole
            assert len(harness.message(it)["content"]) <= 2000
            shown = files["history.txt"].decode()
        else:  # only the picture of the stack
            assert set(files) == {"history.png"} and files["history.png"].startswith(b"\x89PNG")
        assert shown.split("\n", 1)[1] == expected


async def test_history_explains_missing_layers(harness: Harness) -> None:
    it = await harness.run("history", image="layerlab-test/shipped", locale="en-GB")
    assert "<missing>" in code(harness.message(it))
    assert "this host has no image ID of its own for that step" in harness.text(it)


async def test_bad_image_names_get_a_clear_private_answer(harness: Harness) -> None:
    cases = {
        "../x": "geen geldige image-naam",
        "UBUNTU": "kleine letters",
        "a" * 300: "te lang",
        "hello-world": "wordt niet aangeboden",
    }
    for image, words in cases.items():
        it = await harness.run("history", image=image)
        message = harness.message(it)
        assert words in message["content"], (image, message["content"])
        assert message["flags"] & EPHEMERAL
        assert message["embeds"] == [] and message["components"] == []


async def test_commit_then_use_the_image_and_nobody_else_can(
    harness: Harness, engine: docker.DockerClient
) -> None:
    it = await harness.run("commit", name="myubuntu", command="echo Hallo > /tmp/testfile")
    message = harness.message(it)
    text = code(message)
    assert re.search(r"\$ docker commit \w+ myubuntu:latest\nsha256:[0-9a-f]{64}\n", text)
    history = message["embeds"][0]["description"]
    assert "⬅ nieuwe laag" in history.splitlines()[3]  # fence, command, header, then the new layer
    assert "/bin/sh -c echo Hallo > /tmp/testfile" in history
    assert "2 wijziging(en): 1 toegevoegd, 1 gewijzigd" in harness.text(it)

    used = await harness.run("diff", image="myubuntu", command="cat /tmp/testfile")
    assert "Hallo" in code(harness.message(used))
    images = await harness.run("images")
    assert re.search(r"myubuntu\s+latest\s+[0-9a-f]{12}", harness.message(images)["content"])

    theirs = await harness.run("history", image="myubuntu", user=OTHER_STUDENT)
    assert "wordt niet aangeboden" in harness.message(theirs)["content"]

    removed = await harness.run("rmi", name="myubuntu")
    assert "Untagged: myubuntu:latest" in code(harness.message(removed))
    assert not engine.images.list(filters={"label": f"org.layerlab.owner={STUDENT.id}"})


async def test_bad_commit_names(harness: Harness) -> None:
    for name, words in (
        ("My Image", "kan geen image-naam zijn"),
        ("../x", "kan geen image-naam zijn"),
        ("X", "kleine letters"),
    ):
        it = await harness.run("commit", name=name, command="true")
        assert words in harness.message(it)["content"]


async def test_info_shows_engine_and_own_counts(harness: Harness) -> None:
    it = await harness.run("info", locale="en-US")
    text = code(harness.message(it))
    assert f"Storage Driver: {storage_driver()}" in text and re.search(
        r" Containers: \d+\n  Running: \d+", text
    )
    assert re.search(r"Yours: \d+ container\(s\), \d+ running; \d+ image\(s\)\.", harness.text(it))
    # The slides' path beside this host's, for the store this engine uses.
    here = "snapshots/<n>/fs" if storage_driver() == "overlayfs" else "/overlay2/<id>/diff"
    assert "/var/lib/docker/overlay2/<id>/diff" in harness.text(it) and here in harness.text(it)


async def test_one_job_per_student_at_a_time(harness: Harness) -> None:
    slow = asyncio.create_task(harness.run("diff", command="sleep 3"))
    await asyncio.sleep(1.0)
    second = await harness.run("diff", command="true")
    assert "Er loopt al een commando van jou" in harness.message(second)["content"]
    await slow
    assert harness.message(await slow)["embeds"]


async def test_a_full_host_queues_and_says_so(harness: Harness) -> None:
    users = [STUDENT, OTHER_STUDENT, STUDENT.__class__(id=200000000000000009, name="student_c")]
    tasks = [asyncio.create_task(harness.run("diff", command="sleep 2", user=u)) for u in users]
    done = await asyncio.gather(*tasks)
    queued = [
        it
        for it in done
        if any("wachtrij" in (r.payload.get("content") or "") for r in it.responses if r.kind == "edit")
    ]
    assert len(queued) == 1  # concurrency 2: the third waited, and was told
    assert all(harness.message(it)["embeds"] for it in done)


async def test_every_run_is_recorded(harness: Harness) -> None:
    await harness.run("diff", command="exit 4")
    await harness.run("history", image="nope")
    runs = await harness.built.repos.runs.recent(harness.fake.guild_id, STUDENT.id, limit=2)
    assert runs[0].command == "history" and runs[0].outcome == "refused:error.image_not_allowed"
    assert runs[1].command == "diff" and runs[1].exit_code == 4 and runs[1].outcome == "ok"
    assert runs[1].image == "layerlab-test/debian:bookworm" and runs[1].input == "exit 4"


async def test_one_log_line_per_interaction_without_secrets(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="bot.ui.presenter"):
        await harness.run("info")
        await harness.run("history", image="nope")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("interaction ")]
    expected = (
        rf"interaction guild={harness.fake.guild_id} user={STUDENT.id} command=info"
        rf" engine={re.escape(engine_name(ENGINE_URL))} outcome=ok duration=\d+\.\d\ds"
    )
    assert re.fullmatch(expected, lines[0])
    assert "command=history" in lines[1] and "outcome=refused:error.image_not_allowed" in lines[1]
    assert all("test-token" not in r.getMessage() for r in caplog.records)


#: File names a student may make to trip the reply up: a newline, an escape sequence,
#: the code fence, mentions; a symlink loop and a path 60 folders deep.
HOSTILE_NAMES = (
    "mkdir -p /tmp/h && cd /tmp/h && touch \"$(printf 'new\\nline')\" \"$(printf '\\033[31mred')\""
    " '```' '@everyone' '<@123>' && ln -s loop loop && mkdir -p $(printf 'd%.0s/' $(seq 1 60))"
)


async def test_hostile_names_and_a_flood_of_changes_in_diff(harness: Harness) -> None:
    hostile = await harness.run("diff", command=HOSTILE_NAMES, locale="en-US")
    message = harness.message(hostile)
    assert message["allowed_mentions"] == {"parse": []}  # @everyone and <@123> stay text
    assert "```\n$ docker run" in message["content"] and message["content"].count("```") == 2  # one block
    whole = harness.files(hostile)["diff.txt"].decode()  # too long: the rest is attached
    for name in ("new\nline", "\x1b[31mred", "```", "@everyone", "<@123>", "loop"):
        assert f"A /tmp/h/{name}\n" in whole, name
    assert "A /tmp/h/" + "d/" * 59 + "d\n" in whole
    many = await harness.run("diff", command="mkdir /tmp/m && cd /tmp/m && seq 1 5000 | xargs touch")
    assert len(harness.message(many)["content"]) <= 2000  # the fake refuses more, as Discord does
    listed = harness.files(many)["diff.txt"].decode()
    assert sum(1 for line in listed.splitlines() if line.startswith("A /tmp/m/")) == 5000
