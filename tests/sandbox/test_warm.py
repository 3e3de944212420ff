"""Warm containers (bot/sandbox/warm.py) on a real engine: a pooled run shows what a
fresh container shows, for every demo command of the course; the pool refills,
never hands a container out twice, drops the containers of an image a tag no
longer names, and is empty when it closes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import docker
import pytest

from bot.errors import EngineUnavailable
from bot.lessons import load
from bot.render import cli
from bot.render.terminal import terminal_text
from bot.sandbox import warm as warm_module
from bot.sandbox.models import ImageRef
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.warm import Warm
from tests.conftest import BUSYBOX, DEBIAN
from tests.sandbox.conftest import OWNER, WARM, filled, make_sandbox
from tests.support.second_engine import SecondEngine


def course_commands() -> list[tuple[str, str]]:
    """(image, command) of every one-shot demo of the course: pages and quizzes."""
    found: dict[tuple[str, str], None] = {}
    for languages in load().values():
        lesson = languages["nl"]
        demos = [p.demo for p in lesson.pages] + [q.demo for q in lesson.questions]
        for demo in demos:
            if demo is not None and demo.kind in ("diff", "commit"):
                found[(demo.option("image") or DEBIAN, demo.option("command") or "true")] = None
    return list(found)


def ref(image: str) -> ImageRef:
    return ImageRef(shown=image, engine_ref=image, own=False)


@pytest.fixture
async def pooled(engine: docker.DockerClient) -> AsyncIterator[Sandbox]:
    before = {c.id for c in engine.containers.list(all=True, filters=WARM)}
    box = make_sandbox(warm_pool=2)
    await filled(box, 2)
    yield box
    await box.close()
    assert {c.id for c in engine.containers.list(all=True, filters=WARM)} <= before  # emptied at close


async def test_a_pooled_run_shows_what_a_fresh_one_shows(pooled: Sandbox) -> None:
    """Every demo command of the course: the same exit code and the same `docker diff`
    (the output too, but where it names the container or its processes)."""
    fresh = make_sandbox()
    commands = course_commands()
    assert len(commands) > 15
    try:
        for image, command in commands:
            before = pooled.warm.idle().get(image, 0)
            # Side by side: neither sees the other's container.
            in_warm, in_fresh = await asyncio.gather(
                pooled.runner.run(OWNER, ref(image), command), fresh.runner.run(OWNER, ref(image), command)
            )
            assert before > 0, f"no warm container was ready for {command!r}"
            assert in_warm.exit_code == in_fresh.exit_code, command
            # The same lines; their order is the engine's, which varies from run to run
            # (the deletions below a folder made opaque: two fresh runs differ too).
            assert sorted(cli.diff(in_warm.changes).splitlines()) == sorted(
                cli.diff(in_fresh.changes).splitlines()
            ), command
            # Not where the output names the container, its processes or the time it was
            # made (`ls -l /.dockerenv`: a warm container was made before the command).
            if not any(word in command for word in ("hostname", "ps", "/proc", "date", "ls -l")):
                assert in_warm.output.replace(b"\r", b"") == in_fresh.output.replace(b"\r", b""), command
            await filled(pooled, 2)
    finally:
        await fresh.close()


async def test_the_committed_layer_is_the_same_but_not_its_step(pooled: Sandbox) -> None:
    """Why /commit keeps a fresh container: `docker commit` writes the container's own
    command into the new layer's CREATED BY and the image's CMD, and a warm
    container's command is its idle shell. The files of the layer are the same."""
    api = pooled.client.api
    command = "mkdir -p /n && touch /n/f && echo hi > /hi && rm /etc/debian_version"
    taken = pooled.warm.take(DEBIAN)
    assert taken is not None
    try:
        await pooled.client.call(pooled.runner._run_warm, OWNER, ref(DEBIAN), command, taken)
        warm_image = api.commit(taken.id, repository="layerlab-test/warm-commit", tag="warm")["Id"]
    finally:
        pooled.warm.used(taken)
    fresh_id = api.create_container(DEBIAN, ["/bin/sh", "-c", command])["Id"]
    try:
        api.start(fresh_id)
        api.wait(fresh_id)
        fresh_image = api.commit(fresh_id, repository="layerlab-test/warm-commit", tag="fresh")["Id"]
    finally:
        api.remove_container(fresh_id, force=True)
    try:
        warm_layers = await pooled.images.layers(ref(warm_image))
        fresh_layers = await pooled.images.layers(ref(fresh_image))

        def top(found: object) -> list[tuple[str, str, int]]:
            layer = found.layers[-1]  # type: ignore[attr-defined]
            return sorted((c.kind.letter, c.path, c.size) for c in layer.changes)

        assert top(warm_layers) == top(fresh_layers) and top(fresh_layers)
        warm_step = api.history(warm_image)[0]["CreatedBy"]
        fresh_step = api.history(fresh_image)[0]["CreatedBy"]
        assert fresh_step == f"/bin/sh -c {command}" and warm_step == "/bin/sh -c read _"
    finally:
        for tag in ("warm", "fresh"):
            api.remove_image(f"layerlab-test/warm-commit:{tag}", force=True)


async def test_the_pool_refills_and_never_serves_twice(pooled: Sandbox, engine: docker.DockerClient) -> None:
    seen: set[str] = set()
    for _ in range(5):
        taken = pooled.warm.take(BUSYBOX)
        assert taken is not None and taken.id not in seen
        seen.add(taken.id)
        await pooled.client.call(pooled.runner._run_warm, OWNER, ref(BUSYBOX), "echo hi > /f", taken)
        pooled.warm.used(taken)
        await pooled.warm.settled()
        assert not engine.containers.list(all=True, filters={"id": taken.id})  # removed after use
        await filled(pooled, 2)
    assert pooled.warm.take("layerlab/g1-u2/mine") is None  # a student's own image is never pooled
    # A warm container has no owner: nothing of a student's is on it before it is used.
    (one, *_) = engine.containers.list(filters=WARM)
    assert "org.layerlab.owner" not in one.labels and one.attrs["HostConfig"]["NetworkMode"] == "none"


async def test_what_a_command_leaves_running_ends_before_the_diff(
    pooled: Sandbox, engine: docker.DockerClient
) -> None:
    """In a fresh container the command is the first process, and what it leaves
    running ends with it. In a warm one the container is killed for it before the
    diff: the result comes at once, and the background writer never writes. (One in
    a session of its own: the engine ends the others with the exec's shell.)"""
    writer = "setsid sh -c 'sleep 1; echo late > /late' >/dev/null 2>&1 &"
    command = f"{writer} sleep 0.2; echo now > /now; echo started"  # (the sleep: setsid done by then)
    taken = pooled.warm.take(BUSYBOX)
    assert taken is not None
    try:
        started = time.monotonic()
        result = await pooled.client.call(pooled.runner._run_warm, OWNER, ref(BUSYBOX), command, taken)
        assert time.monotonic() - started < 1.0 and not result.timed_out
        assert (result.exit_code, terminal_text(result.output), cli.diff(result.changes)) == (
            0,
            "started\n",
            "A /now\n",
        )
        container = engine.containers.get(taken.id)
        assert container.status == "exited"  # killed, its leftover with it
        await asyncio.sleep(1.5)
        assert [c["Path"] for c in container.diff()] == ["/now"]  # /late never came
    finally:
        pooled.warm.used(taken)
    # Without leftovers the container is not killed: nothing to end.
    taken = pooled.warm.take(BUSYBOX) or await _next(pooled)
    try:
        await pooled.client.call(pooled.runner._run_warm, OWNER, ref(BUSYBOX), "echo quiet", taken)
        assert engine.containers.get(taken.id).status == "running"
    finally:
        pooled.warm.used(taken)


async def _next(box: Sandbox) -> Warm:
    await filled(box)
    found = box.warm.take(BUSYBOX)
    assert found is not None
    return found


async def test_a_tag_moved_to_another_image_drops_its_warm_containers(engine: docker.DockerClient) -> None:
    tag = "layerlab-test/warm-moving:latest"
    engine.images.get(BUSYBOX).tag(tag)
    before = {c.id for c in engine.containers.list(all=True, filters=WARM)}
    box = make_sandbox(base_images=[tag, DEBIAN], warm_pool=1)
    try:
        await filled(box)
        old = box.warm._idle[tag][0]
        engine.images.get(DEBIAN).tag(tag)  # `layerlab images prepare` fetched a new one
        result = await box.runner.run(OWNER, ref(tag), "cat /etc/debian_version")
        assert result.exit_code == 0  # the new image ran, in a fresh container
        assert await _gone(engine, old.id)  # taken, found to be of the old image, removed
        box.warm.recheck()  # the keeper's next round checks the tags
        await filled(box)
        assert box.warm._idle[tag][0].image_id == engine.images.get(DEBIAN).id
        engine.images.remove(tag)  # no longer there: nothing is kept for it
        box.warm.recheck()
        for _ in range(100):
            if not box.warm.idle()[tag]:
                break
            await asyncio.sleep(0.05)
        assert box.warm.idle()[tag] == 0
    finally:
        await box.close()
        if engine.images.list(name=tag):
            engine.images.remove(tag)
    assert {c.id for c in engine.containers.list(all=True, filters=WARM)} <= before


async def _gone(engine: docker.DockerClient, container_id: str) -> bool:
    for _ in range(100):
        # The API's list, not the SDK's: that one inspects each row, and loses the race.
        if not engine.api.containers(all=True, filters={"id": container_id}):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_old_warm_containers_are_retired(
    engine: docker.DockerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = make_sandbox(base_images=[BUSYBOX], warm_pool=1)
    try:
        await filled(box)
        first = box.warm._idle[BUSYBOX][0]
        monkeypatch.setattr(warm_module, "MAX_AGE", 0.0)
        assert box.warm.take(BUSYBOX) is None  # too old to hand out: replaced instead
        assert await _gone(engine, first.id)
    finally:
        await box.close()


@pytest.mark.docker
@pytest.mark.one_engine  # the second engine is this machine's dockerd, whatever the suite's
async def test_after_an_engine_restart_the_dead_pool_is_replaced() -> None:
    """A restart of the engine ends every warm container, unknown to the pool. A
    command that finds its container dead runs in a fresh one instead, the other
    dead ones are dropped too, and the pool fills again with live ones."""
    extra = SecondEngine()
    box = None
    try:
        await asyncio.to_thread(extra.start)
        await asyncio.to_thread(extra.load, BUSYBOX)
        box = make_sandbox(base_images=[BUSYBOX], default_image=BUSYBOX, docker_host=extra.url, warm_pool=2)
        await filled(box, 2)
        dead = {w.id for w in box.warm._idle[BUSYBOX]}
        await asyncio.to_thread(extra.stop)
        with pytest.raises(EngineUnavailable):
            await box.runner.run(OWNER, ref(BUSYBOX), "echo hi")
        await asyncio.to_thread(extra.start)

        result = await box.runner.run(OWNER, ref(BUSYBOX), "echo hi > /f; echo ok")
        assert (result.exit_code, terminal_text(result.output), cli.diff(result.changes)) == (
            0,
            "ok\n",
            "A /f\n",
        )
        await filled(box, 2)
        assert not dead & {w.id for w in box.warm._idle[BUSYBOX]}
        with extra.client() as other:
            assert not [c for c in other.containers.list(all=True) if c.id in dead]  # removed
            assert len(other.containers.list(filters=WARM)) == 2  # and the new ones run
        pooled = await box.runner.run(OWNER, ref(BUSYBOX), "echo again")
        assert terminal_text(pooled.output) == "again\n" and box.warm.idle()[BUSYBOX] < 2
    finally:
        if box is not None:
            await box.close()
        await asyncio.to_thread(extra.remove)
