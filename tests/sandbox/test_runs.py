"""The sandbox runner against the real engine: results, limits, labels, clean-up."""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import replace

import docker
import pytest

from bot.errors import BadName, ImageNotAllowed, ImageNotPresent, UserError
from bot.render import cli
from bot.render.terminal import terminal_text
from bot.sandbox import disk
from bot.sandbox.labels import labels
from bot.sandbox.limits import Limits
from bot.sandbox.models import ChangeKind
from bot.sandbox.runner import DISK_POLL
from bot.sandbox.sandbox import Sandbox
from tests.conftest import BUSYBOX, DEBIAN
from tests.sandbox.conftest import BOTH_WAYS, OWNER, TEST_LIMITS, make_sandbox


def _leftovers(engine: docker.DockerClient) -> list[str]:
    return [
        c.name for c in engine.containers.list(all=True, filters={"label": "org.layerlab.purpose=oneshot"})
    ]


@BOTH_WAYS
async def test_seed_transcript_diff(sandbox: Sandbox, engine: docker.DockerClient) -> None:
    image = await sandbox.policy.resolve(OWNER, None)
    result = await sandbox.runner.run(OWNER, image, "echo Hallo > /tmp/testfile && cat /tmp/testfile")
    assert result.exit_code == 0
    assert terminal_text(result.output) == "Hallo\n"
    assert cli.diff(result.changes) == "C /tmp\nA /tmp/testfile\n"
    assert not _leftovers(engine)


@BOTH_WAYS
async def test_stdout_and_stderr_arrive_in_order(sandbox: Sandbox) -> None:
    image = await sandbox.policy.resolve(OWNER, BUSYBOX)
    result = await sandbox.runner.run(OWNER, image, "echo one; echo two >&2; echo three; exit 3")
    assert result.exit_code == 3
    assert terminal_text(result.output) == "one\ntwo\nthree\n"
    assert result.changes == ()


@BOTH_WAYS
async def test_delete_shows_as_d(sandbox: Sandbox) -> None:
    image = await sandbox.policy.resolve(OWNER, DEBIAN)
    result = await sandbox.runner.run(OWNER, image, "rm /etc/debian_version")
    assert [(c.kind, c.path) for c in result.changes] == [
        (ChangeKind.CHANGED, "/etc"),
        (ChangeKind.DELETED, "/etc/debian_version"),
    ]


async def test_images_not_on_offer_are_refused_and_never_pulled(
    sandbox: Sandbox, engine: docker.DockerClient
) -> None:
    with pytest.raises(ImageNotAllowed):
        await sandbox.policy.resolve(OWNER, "hello-world")
    with pytest.raises(BadName):
        await sandbox.policy.resolve(OWNER, "../x")
    offering_missing = make_sandbox(base_images=[DEBIAN, "alpine:latest"])
    try:
        with pytest.raises(ImageNotPresent):
            await offering_missing.policy.resolve(OWNER, "alpine")
    finally:
        await offering_missing.close()
    assert not engine.images.list(name="alpine")


@BOTH_WAYS
async def test_endless_loop_is_killed_at_the_timeout(sandbox: Sandbox, engine: docker.DockerClient) -> None:
    image = await sandbox.policy.resolve(OWNER, BUSYBOX)
    started = time.monotonic()
    result = await sandbox.runner.run(OWNER, image, "while :; do :; done")
    assert result.timed_out
    assert result.exit_code == 137
    assert TEST_LIMITS.timeout <= time.monotonic() - started < TEST_LIMITS.timeout + 10
    assert not _leftovers(engine)


@pytest.mark.alone  # measures the host (its disk, its answer time): not beside another suite
@BOTH_WAYS
async def test_fork_bomb_ends_and_the_host_stays_responsive(
    sandbox: Sandbox, engine: docker.DockerClient
) -> None:
    image = await sandbox.policy.resolve(OWNER, DEBIAN)
    result = await sandbox.runner.run(OWNER, image, "bomb() { bomb | bomb & }; bomb; sleep 3; ps -e | wc -l")
    text = terminal_text(result.output)
    assert "fork" in text.lower() or result.timed_out
    started = time.monotonic()
    assert engine.ping()
    again = await sandbox.runner.run(OWNER, await sandbox.policy.resolve(OWNER, BUSYBOX), "echo still here")
    assert terminal_text(again.output) == "still here\n"
    assert time.monotonic() - started < 5
    assert not _leftovers(engine)


@BOTH_WAYS
async def test_memory_hog_is_killed(sandbox: Sandbox) -> None:
    image = await sandbox.policy.resolve(OWNER, BUSYBOX)
    # A command substitution keeps all of its output in the shell's memory.
    result = await sandbox.runner.run(
        OWNER, image, 'a=$(head -c 300000000 /dev/zero | tr "\\0" a); echo ${#a}'
    )
    assert result.oom_killed
    assert result.exit_code == 137
    assert "300000000" not in terminal_text(result.output)


@BOTH_WAYS
async def test_output_flood_is_cut_at_the_source(sandbox: Sandbox) -> None:
    image = await sandbox.policy.resolve(OWNER, BUSYBOX)
    started = time.monotonic()
    result = await sandbox.runner.run(OWNER, image, "yes @everyone")
    assert result.output_truncated
    assert len(result.output) == TEST_LIMITS.output_bytes
    assert time.monotonic() - started < TEST_LIMITS.timeout  # stopped for the output, not the clock


@BOTH_WAYS
async def test_big_file_hits_the_file_size_limit(sandbox: Sandbox) -> None:
    image = await sandbox.policy.resolve(OWNER, DEBIAN)
    result = await sandbox.runner.run(
        OWNER, image, "dd if=/dev/zero of=/tmp/big bs=1M count=100; ls -l /tmp/big"
    )
    assert result.exit_code != 0 or "File size limit exceeded" in terminal_text(result.output)
    assert result.layer_size is not None and result.layer_size <= TEST_LIMITS.file_size_bytes + 1024 * 1024


@BOTH_WAYS
async def test_writable_layer_cap_is_checked(sandbox: Sandbox) -> None:
    image = await sandbox.policy.resolve(OWNER, DEBIAN)
    command = "for i in 1 2 3 4 5; do head -c 15000000 /dev/zero > /tmp/f$i; done"
    result = await sandbox.runner.run(OWNER, image, command)
    assert result.layer_too_big
    assert result.layer_size is not None and result.layer_size > TEST_LIMITS.writable_bytes


#: A writer that never stops: files under the per-file limit, one after another.
FILL_THE_DISK = "i=0; while :; do head -c 15000000 /dev/zero > /tmp/f$i; i=$((i+1)); done"
#: How far past the cap a writer may get before the disk watch stops it (it measures
#: four times a second; this machine writes up to about 2 GB/s).
DISK_OVERSHOOT = 600 * 1024 * 1024


@pytest.mark.alone  # measures the host (its disk, its answer time): not beside another suite
@BOTH_WAYS
async def test_a_disk_filling_loop_is_ended_near_the_cap(
    sandbox: Sandbox, engine: docker.DockerClient
) -> None:
    image = await sandbox.policy.resolve(OWNER, DEBIAN)
    root = engine.info()["DockerRootDir"]
    free_before = shutil.disk_usage(root).free
    started = time.monotonic()
    result = await sandbox.runner.run(OWNER, image, FILL_THE_DISK)
    assert result.disk_stopped and result.layer_too_big and not result.timed_out
    assert time.monotonic() - started < TEST_LIMITS.timeout  # ended by the watch, not the clock
    assert result.layer_size is not None
    assert TEST_LIMITS.writable_bytes < result.layer_size < TEST_LIMITS.writable_bytes + DISK_OVERSHOOT
    # The container is gone, and its layer with it: the disk is as free as before.
    await sandbox.warm.settled()  # a warm one is removed just after the result
    assert abs(shutil.disk_usage(root).free - free_before) < 64 * 1024 * 1024


async def assert_refused(limits: Limits, key: str) -> None:
    """Under ``limits`` (a floor the disk is below), a command is refused with ``key``."""
    full = make_sandbox(limits=limits)
    try:
        with pytest.raises(UserError) as refused:
            await full.runner.run(OWNER, await full.policy.resolve(OWNER, BUSYBOX), "echo hi")
        assert refused.value.key == key
    finally:
        await full.close()


@pytest.mark.alone  # measures the host (its disk, its answer time): not beside another suite
async def test_below_the_free_space_floor_nothing_runs_and_a_writer_is_ended(sandbox: Sandbox) -> None:
    free = await sandbox.disk.free()
    assert free is not None and free > 1024 * 1024 * 1024, "this test needs 1 GiB free"
    await assert_refused(replace(TEST_LIMITS, min_free_bytes=free + 1024 * 1024 * 1024), "error.disk_low")
    # A floor just below what is free now: a writer that eats into it is ended.
    limits = replace(
        TEST_LIMITS, writable_bytes=4 * 1024**3, min_free_bytes=free - 300 * 1024 * 1024, timeout=30.0
    )
    tight = make_sandbox(limits=limits)
    tight.disk.ttl = DISK_POLL  # measure at every tick here (a lab host: every few seconds)
    try:
        result = await tight.runner.run(OWNER, await tight.policy.resolve(OWNER, DEBIAN), FILL_THE_DISK)
        assert result.disk_low and not result.timed_out
    finally:
        await tight.close()


#: Empty files: no bytes for the writable layer's size to see, one inode each.
FLOOD_OF_FILES = "mkdir /tmp/f && cd /tmp/f && seq 1 3000000 | xargs touch"


@pytest.mark.alone  # measures the host (its disk, its answer time): not beside another suite
async def test_below_the_inode_floor_nothing_runs_and_a_flood_of_files_is_ended(sandbox: Sandbox) -> None:
    await sandbox.disk.free()
    inodes = sandbox.disk.free_inodes
    assert inodes is not None, "this test needs a filesystem with a fixed number of inodes (ext4, xfs)"
    await assert_refused(replace(TEST_LIMITS, min_free_inodes=inodes + 10**6), "error.inodes_low")
    # A floor 50 000 inodes below what is free now: a flood of empty files is ended
    # though the byte cap never sees it (its files hold no bytes).
    tight = make_sandbox(limits=replace(TEST_LIMITS, min_free_inodes=inodes - 50_000, timeout=60.0))
    tight.disk.ttl = DISK_POLL
    try:
        started = time.monotonic()
        result = await tight.runner.run(OWNER, await tight.policy.resolve(OWNER, DEBIAN), FLOOD_OF_FILES)
        assert result.disk_low and not result.timed_out and not result.disk_stopped
        assert time.monotonic() - started < 30
        assert sum(1 for c in result.changes if c.path.startswith("/tmp/f/")) > 50_000 // 2
        # The container is gone, and its files with it: the inodes are back.
        await tight.disk.free()
        assert tight.disk.free_inodes is not None and abs(tight.disk.free_inodes - inodes) < 20_000
    finally:
        await tight.close()


async def test_without_a_base_image_the_host_views_say_so(engine: docker.DockerClient) -> None:
    """No image the course offers is on the engine: no helper may run (a student's
    image never serves as one), free space is unmeasured, and the answer is clear."""
    bare = make_sandbox(
        base_images=["layerlab-test/not-there:latest"], default_image="layerlab-test/not-there"
    )
    try:
        assert await bare.disk.free() is None
        with pytest.raises(UserError) as refused:
            await bare.client.call(lambda: bare.helpers.run(["true"], binds={}))
        assert refused.value.key == "error.no_helper_image"
    finally:
        await bare.close()


@BOTH_WAYS
async def test_no_network_no_socket_no_privileges(sandbox: Sandbox) -> None:
    image = await sandbox.policy.resolve(OWNER, DEBIAN)
    command = (
        "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ';"
        "ls /var/run/docker.sock /run/docker.sock 2>&1;"
        "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status;"
        "apt-get -o Acquire::Retries=0 update 2>&1 | tail -n 2"
    )
    result = await sandbox.runner.run(OWNER, image, command)
    text = terminal_text(result.output)
    interfaces = text.splitlines()[0]
    assert interfaces == "lo"  # network "none": a loopback and nothing else
    assert "No such file or directory" in text  # no Docker socket inside
    assert "CapEff:\t00000000000000cb" in text  # CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID
    assert "NoNewPrivs:\t1" in text
    assert "Temporary failure resolving" in text or "Could not resolve" in text


async def test_the_tests_apt_network_reaches_the_mirror_and_no_further(apt_network: str) -> None:
    """The network the exercise tests give the bot (tests/support/local_mirror.py): apt
    reaches the local mirror as deb.debian.org, and the real address does not answer."""
    box = make_sandbox(limits=replace(TEST_LIMITS, network=apt_network, timeout=60.0))
    try:
        image = await box.policy.resolve(OWNER, DEBIAN)
        command = (
            "getent hosts deb.debian.org;"
            "apt-get -o Acquire::Retries=0 update 2>&1 | grep -c '^Get:';"
            "ip=$(getent hosts deb.debian.org | cut -d' ' -f1);"
            # deb.debian.org's real address: dropped (or unroutable), so it times out.
            "timeout 3 bash -c 'echo > /dev/tcp/151.101.2.132/80' 2>/dev/null || echo no way out;"
            'timeout 5 bash -c "echo > /dev/tcp/$ip/80" && echo mirror answers'
        )
        text = terminal_text((await box.runner.run(OWNER, image, command)).output)
    finally:
        await box.close()
    lines = text.splitlines()
    assert len(lines) == 4, text
    assert lines[0].endswith("deb.debian.org") and lines[1:] == ["3", "no way out", "mirror answers"], text


async def test_leftovers_from_a_crash_are_removed(sandbox: Sandbox, engine: docker.DockerClient) -> None:
    long_ago = "2020-01-01T00:00:00+00:00"
    crashed_long_ago = {**labels(OWNER, "oneshot"), "org.layerlab.created": long_ago}
    old = engine.containers.create(BUSYBOX, ["sleep", "600"], labels=crashed_long_ago)
    old.start()
    young = engine.containers.create(BUSYBOX, ["sleep", "600"], labels=labels(OWNER, "oneshot"))
    unrelated = engine.containers.create(BUSYBOX, ["true"])
    try:
        assert await sandbox.cleanup.remove_leftovers() >= 1
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(old.id)
        # Younger than any job can be: maybe another bot's running job. Kept.
        assert engine.containers.get(young.id)
        assert engine.containers.get(unrelated.id)  # not ours: untouched
        assert await sandbox.cleanup.remove_leftovers(older_than=0) >= 1
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(young.id)
    finally:
        for container in (young, unrelated):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)


@BOTH_WAYS
async def test_limits_as_the_container_sees_them(sandbox: Sandbox) -> None:
    """The engine, not the bot, enforces memory, swap, CPU and processes: read them from the cgroup."""
    image = await sandbox.policy.resolve(OWNER, BUSYBOX)
    v1 = "cd /sys/fs/cgroup && cat " + " ".join(
        [
            "memory/memory.limit_in_bytes",
            "memory/memory.memsw.limit_in_bytes",
            "cpu/cpu.cfs_quota_us",
            "cpu/cpu.cfs_period_us",
            "pids/pids.max",
        ]
    )
    v2 = "cd /sys/fs/cgroup && cat memory.max memory.swap.max cpu.max pids.max"
    result = await sandbox.runner.run(
        OWNER, image, f"if [ -d /sys/fs/cgroup/memory ]; then {v1}; else {v2}; fi"
    )
    values = terminal_text(result.output).split()
    memory = str(TEST_LIMITS.memory_bytes)
    if len(values) == 5:  # cgroup v1: memory+swap equals memory, so no swap on top
        assert values == [memory, memory, "100000", "100000", str(TEST_LIMITS.pids)]
    else:  # cgroup v2: swap.max 0, cpu.max "quota period"
        assert values == [memory, "0", "100000", "100000", str(TEST_LIMITS.pids)]


async def test_a_command_goes_by_a_recent_measurement_and_waits_only_for_a_stale_one(
    engine: docker.DockerClient,
) -> None:
    """The free-space floor before a command (bot/sandbox/disk.py): under half of
    FREE_STALE old, the last measurement is used as it is; past half, it is still
    used, and a new one is made beside the command; past FREE_STALE, the command
    waits for a new one. Here the floor is above what is free, so each path refuses."""
    free = await make_sandbox().disk.free()
    assert free is not None
    box = make_sandbox(limits=replace(TEST_LIMITS, min_free_bytes=free + 10 * 1024**3))
    guard = box.disk
    try:
        await guard.free()
        measured = guard._measured
        for age, new_one in ((1.0, False), (disk.FREE_STALE / 2 + 1, True), (disk.FREE_STALE + 1, True)):
            guard._measured = measured = time.monotonic() - age
            with pytest.raises(UserError) as refused:
                await box.client.call(guard.refuse_if_low)
            assert refused.value.key == "error.disk_low"
            await guard.close()  # waits for a measurement made beside the command
            assert (guard._measured > measured) == new_one, age
            assert guard._aside is None or not guard._aside.is_alive()
    finally:
        await box.close()
