"""Several lab engines: two real dockerd on this machine, the bot through real discord.py.

Starting and stopping the second engine takes seconds: the async tests do it on a
thread, so the bot under test keeps its event loop meanwhile.

Placement (least loaded engine that answers), stickiness across restarts, work
found on an engine before placements existed, and one engine stopped in the
middle of a class: its students get a clear message, the others carry on,
nothing recorded is lost, and the engine is used again once it is back.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from bot.doctor import examine, health
from bot.images import prepare
from bot.sandbox.client import engine_name
from bot.sandbox.models import Owner
from bot.sandbox.sandbox import Sandbox
from bot.settings import Settings
from bot.store import Database, PlacementStore
from fakediscord import FakeDiscord, FakeUser
from fakediscord.limits import EPHEMERAL
from tests.bot.test_demos import code
from tests.bot.test_lab import TEACHER
from tests.bot.test_learning import embed_of, press
from tests.conftest import BUSYBOX, ENGINE_URL, OTHER_STUDENT, STUDENT, Harness, make_settings, running_bot
from tests.sandbox.conftest import TEST_LIMITS
from tests.support.second_engine import SecondEngine
from tests.test_doctor import TOKEN

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine

MAIN = ENGINE_URL
ENGINE_NAME = engine_name(MAIN)
THIRD_STUDENT = FakeUser(id=200000000000000003, name="student_c")
GUILD = FakeDiscord().guild_id


@pytest.fixture(scope="module")
def second(engine: docker.DockerClient) -> Iterator[SecondEngine]:
    extra = SecondEngine()
    try:
        extra.start()
        extra.load(BUSYBOX)
    except Exception as exc:
        extra.remove()
        pytest.fail(f"Could not start a second dockerd: {exc}", pytrace=False)
    yield extra
    extra.remove()


def _ours(client: docker.DockerClient) -> tuple[list, list]:  # type: ignore[type-arg]
    label = {"label": f"org.layerlab.guild={GUILD}"}
    return client.containers.list(all=True, filters=label), client.images.list(filters=label)


def _clean(client: docker.DockerClient) -> None:
    containers, images = _ours(client)
    for container in containers:
        container.remove(force=True)
    for image in images:
        client.images.remove(image.id, force=True)


@pytest.fixture
def engines(
    engine: docker.DockerClient, second: SecondEngine
) -> Iterator[tuple[docker.DockerClient, SecondEngine]]:
    """Both engines, with nothing of the test server's on either before or after."""
    with second.client() as other:
        _clean(engine)
        _clean(other)
    yield engine, second
    if not second.running:
        second.start()  # a test that stopped it and failed half-way
    with second.client() as other:
        _clean(engine)
        _clean(other)


def two_engine_settings(tmp_path: Path, second: SecondEngine, **overrides: Any) -> Settings:
    return make_settings(
        tmp_path, docker_hosts=[MAIN, second.url], base_images=[BUSYBOX], default_image=BUSYBOX, **overrides
    )


def placement(harness: Harness, user: FakeUser) -> str:
    placed = harness.built.fleet.placed(harness.session_owner(user))
    assert placed is not None, f"{user.name} was not placed"
    return placed.url


def lab_of(client: docker.DockerClient, user: FakeUser) -> list:  # type: ignore[type-arg]
    filters = {"label": ["org.layerlab.purpose=lab", f"org.layerlab.owner={user.id}"]}
    return client.containers.list(all=True, filters=filters)


def status_rows(teacher_sees: str) -> dict[str, list[str]]:
    """The /admin status table, by engine name."""
    rows = {}
    for line in teacher_sees.splitlines()[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells
    return rows


async def first_on_main(
    harness: Harness, main: docker.DockerClient, other: docker.DockerClient, *, command: str
) -> None:
    """STUDENT's first /lab run, placed on the main engine by load.

    For it the second engine runs more containers than the main one does right now
    (which may be more than this test made: a CI run once counted some the test
    could not see), then none again."""
    running = int(main.info()["ContainersRunning"])
    weights = [
        other.containers.run(
            BUSYBOX, "sleep 600", detach=True, network_mode="none", labels={"org.layerlab.guild": str(GUILD)}
        )
        for _ in range(running + 2)
    ]

    def forget_probes() -> None:  # a probe from before (or with) the weights must not be reused
        for engine in harness.built.fleet.engines:
            engine.state = None

    forget_probes()
    try:
        await harness.run("lab run", command=command)
    finally:
        for weight in weights:
            weight.remove(force=True)
        forget_probes()
    others = [(c.name, c.labels) for c in main.containers.list()]
    assert placement(harness, STUDENT) == MAIN, f"the main engine ran {running}: {others}"
    assert len(lab_of(main, STUDENT)) == 1 and not lab_of(other, STUDENT)


async def test_new_students_go_to_the_least_loaded_engine_and_stay(
    engines: tuple[docker.DockerClient, SecondEngine], tmp_path: Path, fake: FakeDiscord
) -> None:
    main, second = engines
    settings = two_engine_settings(tmp_path, second)
    with second.client() as other:
        async with running_bot(settings, fake) as harness:
            await first_on_main(harness, main, other, command="echo A > /tmp/a")

            # The first engine now runs a lab container: the next student goes to the other.
            await harness.run("lab run", command="echo B > /tmp/b", user=OTHER_STUDENT)
            assert placement(harness, OTHER_STUDENT) == second.url
            assert len(lab_of(other, OTHER_STUDENT)) == 1 and not lab_of(main, OTHER_STUDENT)
            # /lab host reads the second engine's own data-root, not /var/lib/docker.
            host = await harness.run("lab host", user=OTHER_STUDENT, locale="en-US")
            listing = (
                harness.files(host).get("lab-host.txt", b"").decode() or code(harness.message(host))
            ).split()
            (container,) = lab_of(other, OTHER_STUDENT)
            upper = container.attrs["GraphDriver"]["Data"]["UpperDir"]
            assert upper.startswith(f"{second.root}/data/overlay2/")
            assert f"{second.root}/data/image/overlay2/layerdb/mounts/{container.id}/mount-id" in listing
            assert f"{upper}/tmp/b" in listing

            # One student each; only the first engine runs a container: least loaded, not by turns.
            await harness.run("lab stop", user=OTHER_STUDENT)
            await harness.run("diff", user=THIRD_STUDENT)
            assert placement(harness, THIRD_STUDENT) == second.url

            # Images are made on the student's own engine.
            made = await harness.run("commit", name="mine", command="echo mine > /mine")
            assert "mine:latest" in code(harness.message(made))
            assert main.images.list(filters={"label": f"org.layerlab.owner={STUDENT.id}"})
            assert not other.images.list(filters={"label": f"org.layerlab.owner={STUDENT.id}"})

        # A restart keeps everyone where their work is.
        async with running_bot(settings, fake) as harness:
            assert placement(harness, STUDENT) == MAIN
            assert placement(harness, OTHER_STUDENT) == second.url
            back = await harness.run("diff", image="mine", command="cat /mine")
            assert "mine" in code(harness.message(back))
            theirs = await harness.run("lab run", command="cat /tmp/b", user=OTHER_STUDENT)
            assert "B" in code(harness.message(theirs))
            rows = await harness.built.repos.placements.all()
            assert rows[(GUILD, STUDENT.id)] == MAIN and rows[(GUILD, OTHER_STUDENT.id)] == second.url
            await harness.built.labs.reap(GUILD)


async def test_work_already_on_an_engine_brings_its_student_back_there(
    engines: tuple[docker.DockerClient, SecondEngine], tmp_path: Path
) -> None:
    """A student with an image on the second engine and no placement (a database
    from before several engines) is placed with their image, not by load."""
    _, second = engines
    owner = Owner(GUILD, THIRD_STUDENT.id)
    box = Sandbox(limits=TEST_LIMITS, base_images=[BUSYBOX], default_image=BUSYBOX, docker_host=second.url)
    try:
        await box.images.commit(owner, "kept", await box.policy.resolve(owner, BUSYBOX), "echo kept > /kept")
    finally:
        await box.close()
    async with running_bot(two_engine_settings(tmp_path, second)) as harness:
        listed = await harness.run("images", user=THIRD_STUDENT)
        assert "kept" in code(harness.message(listed))
        assert placement(harness, THIRD_STUDENT) == second.url


async def test_an_engine_stopped_mid_class_holds_up_only_its_students(
    engines: tuple[docker.DockerClient, SecondEngine], tmp_path: Path, fake: FakeDiscord
) -> None:
    main, second = engines
    settings = two_engine_settings(tmp_path, second)
    async with running_bot(settings, fake) as harness:
        with second.client() as other:
            await first_on_main(harness, main, other, command="echo A > /tmp/a")
        await harness.run("lab run", command="echo B > /tmp/b", user=OTHER_STUDENT)
        assert (placement(harness, STUDENT), placement(harness, OTHER_STUDENT)) == (MAIN, second.url)
        await harness.run("commit", name="keep", command="echo kept > /kept", user=OTHER_STUDENT)
        lab_before = await harness.built.repos.labs.get(GUILD, OTHER_STUDENT.id)
        assert lab_before is not None

        await asyncio.to_thread(second.stop)  # the second lab host goes down in the middle of the class

        for command, options in (("diff", {}), ("lab run", {"command": "cat /tmp/b"}), ("images", {})):
            refused = await harness.run(command, user=OTHER_STUDENT, **options)
            text = harness.message(refused)["content"]
            assert "antwoordt nu niet" in text and str(second.socket) in text, (command, text)
        english = await harness.run("history", image=BUSYBOX, user=OTHER_STUDENT, locale="en-US")
        assert "does not answer right now" in harness.message(english)["content"]
        checked = await harness.run("exercise check", id="writable_layer", user=OTHER_STUDENT)
        assert "antwoordt nu niet" in harness.message(checked)["content"]
        assert (
            await harness.built.repos.exercises.attempts(GUILD, OTHER_STUDENT.id) == []
        )  # not counted as failed

        # Everyone else carries on, and a new student goes to the engine that answers.
        mine = await harness.run("lab run", command="cat /tmp/a")
        assert "A" in code(harness.message(mine))
        assert "A /tmp/testfile" in code(harness.message(await harness.run("diff")))
        assert "A /tmp/testfile" in code(harness.message(await harness.run("diff", user=THIRD_STUDENT)))
        assert placement(harness, THIRD_STUDENT) == MAIN

        status = await harness.run("admin status", user=TEACHER)
        table = code(harness.message(status))
        rows = status_rows(table)
        main_name, second_name = harness.built.fleet.engines[0].name, str(second.socket)
        assert rows[second_name][1] == "DOWN" and rows[main_name][1] == "up", table
        assert int(rows[main_name][7]) >= 3 and rows[main_name][8].endswith(("ms", "s")), table
        assert second_name in harness.text(status)  # named in the explanation too
        student_asks = await harness.run("admin status")
        assert "Je mag dit commando niet gebruiken" in harness.message(student_asks)["content"]

        runs = await harness.built.repos.runs.recent(GUILD, OTHER_STUDENT.id, limit=50)
        assert [r.command for r in runs if r.outcome == "refused:error.engine_down"] == [
            "exercise check",
            "history",
            "images",
            "lab run",
            "diff",
        ]
        assert {r.command for r in runs if r.outcome == "ok"} == {"lab run", "commit"}

        # Teachers see which engine is missing from their lists, and reaping leaves its labs alone.
        listing = await harness.run("admin labs", user=TEACHER)
        assert f"hun labcontainers staan niet in de lijst: {second_name}" in harness.text(listing)
        assert "student_a" in harness.message(listing)["content"]
        assert "student_b" not in harness.message(listing)["content"]
        one = await harness.run("admin reap", user=TEACHER, student=OTHER_STUDENT)
        assert f"hun labcontainers blijven staan: {second_name}" in harness.message(one)["content"]
        everyone = await harness.run("admin reap", user=TEACHER)
        told = harness.message(everyone)["content"]
        assert "1 labcontainer(s) verwijderd" in told and f"blijven staan: {second_name}" in told, told
        assert not lab_of(main, STUDENT)
        assert await harness.built.repos.labs.get(GUILD, OTHER_STUDENT.id) == lab_before

    # A restart while the engine is down keeps its students' labs and placements.
    async with running_bot(settings, fake) as harness:
        assert await harness.built.repos.labs.get(GUILD, OTHER_STUDENT.id) == lab_before
        assert placement(harness, OTHER_STUDENT) == second.url

        await asyncio.to_thread(second.start)  # back: used again, with no restart of the bot

        again = await harness.run("lab run", command="cat /tmp/b", user=OTHER_STUDENT)
        assert "B" in code(harness.message(again)), harness.text(again)
        kept = await harness.run("diff", image="keep", command="cat /kept", user=OTHER_STUDENT)
        assert "kept" in code(harness.message(kept))
        lab_after = await harness.built.repos.labs.get(GUILD, OTHER_STUDENT.id)
        assert lab_after is not None and lab_after.container_id == lab_before.container_id

        status = await harness.run("admin status", user=TEACHER)
        rows = status_rows(code(harness.message(status)))
        assert rows[str(second.socket)][1] == "up" and rows[str(second.socket)][4] == "1"
        await harness.built.labs.reap(GUILD)


async def test_operator_tools_cover_every_engine(
    engines: tuple[docker.DockerClient, SecondEngine], tmp_path: Path
) -> None:
    _, second = engines
    settings = two_engine_settings(tmp_path, second, discord_token=TOKEN, guild_ids=[1])
    found = await examine(settings)
    assert {f.part for f in found if f.level == "ok"} >= {
        f"engine [{ENGINE_NAME}]",
        f"engine [{second.socket}]",
        f"image [{second.socket}]",
    }
    out = io.StringIO()
    assert await prepare(settings, out) == 0
    assert out.getvalue().count(f"ok   {BUSYBOX}: already on the engine") == 2

    await asyncio.to_thread(second.stop)
    try:
        broken = {f.part: f.text for f in await examine(settings) if f.level == "problem"}
        # The main engine's playground is a problem too here, rightly: these tests' only
        # image is busybox, which has no util-linux unshare.
        assert 'exec: "unshare": executable file not found' in broken.pop(f"playground [{ENGINE_NAME}]")
        assert broken == {f"engine [{second.socket}]": f"no Docker engine answers at {second.url}"}
        out = io.StringIO()
        assert await prepare(settings, out) == 1
        assert f"FAIL {second.url}: no Docker engine answers" in out.getvalue()
        assert f"ok   {BUSYBOX}: already on the engine" in out.getvalue()  # the other one was still done
        # The bot still serves the students of the engine that answers: healthy.
        assert await health(settings) == 0
        assert await health(make_settings(tmp_path, docker_hosts=[second.url])) == 1
    finally:
        await asyncio.to_thread(second.start)


async def test_no_engine_answers_a_new_student(engine: docker.DockerClient, tmp_path: Path) -> None:
    nowhere = [f"unix://{tmp_path}/one.sock", f"unix://{tmp_path}/two.sock"]
    async with running_bot(make_settings(tmp_path, docker_hosts=nowhere)) as harness:
        answers = (("nl", "Geen enkele Docker engine"), ("en-US", "None of the lab host's Docker engines"))
        for locale, text in answers:
            refused = await harness.run("diff", locale=locale)
            assert text in harness.message(refused)["content"]
        assert harness.built.fleet.placed(harness.session_owner(STUDENT)) is None  # placed once one answers
        runs = await harness.built.repos.runs.recent(GUILD, STUDENT.id)
        assert [r.outcome for r in runs] == ["refused:error.no_engine"] * 2


async def test_forgetting_a_student_clears_their_engine_and_waits_for_it(
    engines: tuple[docker.DockerClient, SecondEngine], tmp_path: Path
) -> None:
    main, second = engines
    async with running_bot(two_engine_settings(tmp_path, second)) as harness:
        with second.client() as other:
            await first_on_main(harness, main, other, command="true")
        for user in (STUDENT, OTHER_STUDENT):
            await harness.run("commit", name="mine", command="true", user=user)
        await harness.run("lab run", command="true", user=OTHER_STUDENT)
        assert placement(harness, OTHER_STUDENT) == second.url

        await asyncio.to_thread(second.stop)
        try:
            it = await harness.run("privacy forget", user=OTHER_STUDENT, locale="en-US")
            down = await press(harness, it, "Yes, delete everything", user=OTHER_STUDENT, locale="en-US")
            told = down.responses[-1].payload
            assert told["flags"] & EPHEMERAL and "does not answer right now" in told["content"]
            assert (
                await harness.built.repos.privacy.stored_about(GUILD, OTHER_STUDENT.id)
            ).runs > 0  # nothing deleted
            assert placement(harness, OTHER_STUDENT) == second.url
        finally:
            await asyncio.to_thread(second.start)

        it = await harness.run("privacy forget", user=OTHER_STUDENT, locale="en-US")
        await press(harness, it, "Yes, delete everything", user=OTHER_STUDENT, locale="en-US")
        assert "deleted" in embed_of(harness, it.original_id or "")["description"]
        with second.client() as other:
            assert _ours(other) == ([], [])  # their lab container and image are gone from their engine
        assert (GUILD, OTHER_STUDENT.id) not in await harness.built.repos.placements.all()
        assert harness.built.fleet.placed(harness.session_owner(OTHER_STUDENT)) is None
        # The other student, on the other engine, keeps everything.
        assert lab_of(main, STUDENT) and main.images.list(
            filters={"label": f"org.layerlab.owner={STUDENT.id}"}
        )
        assert placement(harness, STUDENT) == MAIN
        await harness.built.labs.reap(GUILD)


async def test_a_student_on_an_engine_no_longer_listed_is_placed_again(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, docker_hosts=[MAIN], base_images=[BUSYBOX], default_image=BUSYBOX)
    db = await Database.open(settings.database)
    try:
        await PlacementStore(db).place(GUILD, STUDENT.id, f"unix://{tmp_path}/retired.sock")
    finally:
        await db.close()
    async with running_bot(settings) as harness:
        assert harness.built.fleet.placed(harness.session_owner(STUDENT)) is None
        assert "A /tmp/testfile" in code(harness.message(await harness.run("diff")))
        assert placement(harness, STUDENT) == MAIN
        assert (await harness.built.repos.placements.all())[(GUILD, STUDENT.id)] == MAIN
