"""The OverlayFS playground on a real engine: overlays mount inside its own
namespaces and nowhere else, its mounts and files last between commands, nothing
in it is privileged on the host, and the sandbox's hostile list holds there too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import docker
import pytest

from bot.render.terminal import terminal_text
from bot.sandbox.playground import USER, WORK, PlaygroundUnavailable
from bot.sandbox.sandbox import Sandbox
from tests.conftest import BUSYBOX
from tests.sandbox.conftest import OTHER, OWNER, make_sandbox

#: The kernel's own example, the slides' third exercise: two lower folders and an
#: upper one, mounted together; then a change, a delete and a replaced folder.
MOUNT = (
    "mkdir -p lower1/dir lower2 upper work merged"
    " && echo one > lower1/a && echo two > lower2/b && echo deep > lower1/dir/c"
    " && mount -t overlay overlay -o userxattr,lowerdir=lower1:lower2,upperdir=upper,workdir=work merged"
)


@pytest.fixture
async def playground(sandbox: Sandbox, engine: docker.DockerClient) -> AsyncIterator[Sandbox]:
    yield sandbox
    for owner in (OWNER, OTHER):
        await sandbox.playgrounds.remove(owner)


def container_of(engine: docker.DockerClient, user_id: int) -> docker.models.containers.Container:
    (found,) = engine.containers.list(
        all=True, filters={"label": ["org.layerlab.purpose=playground", f"org.layerlab.owner={user_id}"]}
    )
    return found


async def test_overlays_mount_in_the_playground_and_last_between_commands(playground: Sandbox) -> None:
    first = await playground.playgrounds.run(OWNER, f"pwd; id -u; {MOUNT} && ls merged")
    text = terminal_text(first.result.output)
    assert first.result.exit_code == 0, text
    assert text.splitlines()[:2] == [WORK, "0"]  # root of its own user namespace, in the work area
    assert text.splitlines()[2].split() == ["a", "b", "dir"]  # the union of both lower folders

    changed = await playground.playgrounds.run(
        OWNER,
        "echo changed >> merged/a && rm merged/b && rm -r merged/dir && mkdir merged/dir"
        " && cat lower1/a && ls -la upper && stat -c '%F %t,%T' upper/b",
    )
    text = terminal_text(changed.result.output)
    assert changed.result.exit_code == 0, text
    assert text.splitlines()[0] == "one"  # the lower file is as it was: the change was copied up
    assert "character special file 0,0" in text  # the deleted file's whiteout
    again = await playground.playgrounds.run(OWNER, "cat merged/a; ls merged; ls merged/dir | wc -l")
    assert terminal_text(again.result.output).split() == ["one", "changed", "a", "dir", "0"]  # still mounted


async def test_nothing_is_privileged_and_mounts_fail_outside(
    playground: Sandbox, engine: docker.DockerClient
) -> None:
    await playground.playgrounds.run(OWNER, "true")
    container = container_of(engine, OWNER.user_id)
    host = container.attrs["HostConfig"]
    assert not host["Privileged"] and host["CapDrop"] == ["ALL"]
    assert [c.removeprefix("CAP_") for c in host["CapAdd"]] == ["SYS_ADMIN"]
    assert "no-new-privileges:true" in host["SecurityOpt"] and host["NetworkMode"] == "none"
    assert container.attrs["Config"]["User"] == USER and not container.attrs["Mounts"]
    # A process in the container's own namespaces: no capability, and no mount.
    outside = container.exec_run(["sh", "-c", "grep CapEff /proc/self/status; mount -t tmpfs t /tmp 2>&1"])
    assert b"CapEff:\t0000000000000000" in outside.output and outside.exit_code != 0
    inside = await playground.playgrounds.run(
        OWNER,
        "grep NoNewPrivs /proc/self/status; cat /proc/self/uid_map;"
        " ls /var/run/docker.sock /run/docker.sock 2>&1; ls /proc | grep -c '^[0-9]';"
        " mount -t proc proc /proc 2>&1 | head -n 1; echo x > /proc/sys/kernel/hostname",
    )
    lines = terminal_text(inside.result.output).splitlines()
    assert lines[0] == "NoNewPrivs:\t1"
    assert lines[1].split() == ["0", "1000", "1"]  # root inside is uid 1000 outside, and nothing else
    assert all("No such file or directory" in line for line in lines[2:4])  # no Docker socket
    assert lines[4] == "5"  # its own processes only: the holder (bash, its sleep), the shell, ls, grep
    assert "permission denied" in lines[5]  # a root of its own namespaces, not of the host's
    assert "Read-only file system" in lines[6]


async def test_where_the_namespaces_cannot_be_made_the_answer_says_why(engine: docker.DockerClient) -> None:
    # busybox's unshare knows no --map-root-user: the first process fails, as it does
    # where the kernel or an AppArmor profile refuses (not to be had on this machine).
    bare = make_sandbox(default_image=BUSYBOX)
    try:
        with pytest.raises(PlaygroundUnavailable) as refused:
            await bare.playgrounds.run(OWNER, "true")
        assert refused.value.key == "overlay.unavailable" and refused.value.params["reason"]
        assert await bare.playgrounds.find(OWNER) is None  # nothing left behind
    finally:
        await bare.close()


async def test_each_student_has_their_own_and_reset_starts_afresh(playground: Sandbox) -> None:
    await playground.playgrounds.run(OWNER, "echo mine > note")
    other = await playground.playgrounds.run(OTHER, "cat note 2>&1; ls | wc -l")
    assert terminal_text(other.result.output).splitlines() == ["cat: note: No such file or directory", "0"]
    assert await playground.playgrounds.remove(OWNER)
    fresh = await playground.playgrounds.run(OWNER, "ls | wc -l")
    assert terminal_text(fresh.result.output).strip() == "0"


async def test_the_hostile_list_holds_in_the_playground(playground: Sandbox) -> None:
    await playground.playgrounds.run(OWNER, "echo kept > note")
    slow = await playground.playgrounds.run(OWNER, "sleep 60")
    assert slow.result.timed_out
    flood = await playground.playgrounds.run(OWNER, "yes @everyone")
    assert flood.result.output_truncated
    # Its writable layer (outside the work area) is watched like every other.
    filler = await playground.playgrounds.run(
        OWNER, "i=0; while :; do head -c 15000000 /dev/zero > /tmp/f$i; i=$((i+1)); done"
    )
    assert filler.result.disk_stopped and not filler.result.timed_out
    await playground.playgrounds.run(OWNER, "rm -f /tmp/f*")
    bomb = await playground.playgrounds.run(OWNER, "b() { b | b & }; b; sleep 2")
    assert "fork" in terminal_text(bomb.result.output).lower()  # it ran into the process limit
    # The playground lived through it all, and nothing of the bomb runs on.
    kept = await playground.playgrounds.run(OWNER, "cat note; ls /proc | grep -c '^[0-9]'")
    assert terminal_text(kept.result.output).split() == ["kept", "5"] and not (kept.created or kept.wiped)
    # A tmpfs of its own, filled past the memory limit (each file under the per-file
    # limit): the memory cgroup kills the writer. The playground is then usable again:
    # thrown away if its memory stayed full (or its first process was killed), else
    # as it was, the big files in place for the student to remove.
    hog = await playground.playgrounds.run(
        OWNER,
        "mkdir big && mount -t tmpfs -o size=4g big big"
        " && for i in $(seq 1 20); do head -c 15000000 /dev/zero > big/f$i || exit 9; done",
    )
    assert hog.result.exit_code in (9, 137), terminal_text(hog.result.output)  # killed, or refused
    after = await playground.playgrounds.run(OWNER, "ls")
    assert after.result.exit_code == 0 and not after.wiped
    # Empty when it was thrown away (and the answer says so), else as it was.
    fresh_start = hog.wiped or after.created
    assert terminal_text(after.result.output).split() == ([] if fresh_start else ["big", "note"])
