"""Each student's lab container, through the bot, on the real engine (issue: /lab)."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import docker
import pytest
from PIL import Image

from bot.sandbox.models import Owner
from fakediscord import FakeUser
from fakediscord.limits import EPHEMERAL
from tests.bot.test_demos import code
from tests.conftest import (
    DEBIAN,
    OTHER_STUDENT,
    STUDENT,
    Harness,
    containerd_store,
    docker_cli,
    make_settings,
    running_bot,
)
from tests.sandbox.test_runs import FILL_THE_DISK

TEACHER_ROLE_ID = 900000000000000004  # FakeDiscord's "Teacher" role
TEACHER = FakeUser(id=200000000000000100, name="teacher", roles=(TEACHER_ROLE_ID,))
ADMIN = FakeUser(id=200000000000000101, name="admin", permissions=1 << 5)  # Manage Server


def lab_containers(engine: docker.DockerClient, user: FakeUser) -> list:
    filters = {"label": ["org.layerlab.purpose=lab", f"org.layerlab.owner={user.id}"]}
    return engine.containers.list(all=True, filters=filters)


@pytest.fixture
async def lab(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(tmp_path, sandbox_timeout=6.0)) as harness:
        yield harness
        await harness.built.labs.reap(harness.fake.guild_id)


async def test_the_seed_transcript(lab: Harness, engine: docker.DockerClient) -> None:
    """Data stays when a container stops, until the container is removed."""
    made = await lab.run("lab run", command="echo Hallo > /tmp/testfile")
    text = code(lab.message(made))
    assert re.search(r"\$ docker run -dit layerlab-test/debian:bookworm bash\n[0-9a-f]{64}\n", text)
    assert "Je labcontainer werd nu gemaakt" in lab.text(made)

    ps = code(lab.message(await lab.run("lab ps")))
    assert re.search(r'[0-9a-f]{12}   layerlab-test/debian:bookworm   "bash"    .+   Up ', ps)

    stopped = await lab.run("lab stop")
    assert "Exited (137)" in code(lab.message(stopped))
    assert "SIGKILL" in lab.text(stopped)
    (container,) = lab_containers(engine, STUDENT)
    assert container.status == "exited"

    diff = await lab.run("lab diff")  # works on a stopped container
    assert code(lab.message(diff)).endswith("C /tmp\nA /tmp/testfile\n")

    started = await lab.run("lab start")
    assert "Up " in code(lab.message(started))
    still = await lab.run("lab run", command="ls /tmp; cat /tmp/testfile")
    assert "testfile\nHallo\n" in code(lab.message(still))

    removed = await lab.run("lab rm")
    assert "$ docker rm" in code(lab.message(removed))
    assert not lab_containers(engine, STUDENT)
    fresh = await lab.run("lab run", command="cat /tmp/testfile")
    assert "No such file or directory" in code(lab.message(fresh))
    fields = {f["name"]: f["value"] for f in lab.message(fresh)["embeds"][0]["fields"]}
    assert fields["Exitcode"] == "1"


async def test_ps_matches_the_cli(lab: Harness, engine: docker.DockerClient) -> None:
    await lab.run("lab run", command="true")
    (container,) = lab_containers(engine, STUDENT)
    for _ in range(3):  # "N seconds ago" may tick between the two
        expected = subprocess.run(
            ["docker", "container", "ls", "--all", "--filter", f"id={container.id}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        shown = code(lab.message(await lab.run("lab ps"))).split("\n", 1)[1]
        if shown == expected:
            break
    assert shown == expected


async def test_inspect_matches_the_cli_and_host_matches_diff(
    lab: Harness, engine: docker.DockerClient
) -> None:
    """The seed's host transcript on this engine's store: create a file, find the
    writable layer on the host, see the file there, `rm` and it is gone."""
    await lab.run(
        "lab run", command="echo Hallo > /tmp/testfile && rm /etc/debian_version && mkdir -p /opt/a/b"
    )
    (container,) = lab_containers(engine, STUDENT)
    inspect = await lab.run("lab inspect", locale="en-US")
    shown = (
        code(lab.message(inspect))
        if "lab-inspect.txt" not in lab.files(inspect)
        else lab.files(inspect)["lab-inspect.txt"].decode()
    )
    if containerd_store(engine):
        folders = _check_containerd_inspect(container, shown, lab.text(inspect))
    else:
        lines = docker_cli("inspect", container.id).splitlines()
        start = next(i for i, line in enumerate(lines) if '"GraphDriver"' in line)
        end = lines.index("        },", start)  # the block's own closing brace
        command, rest = shown.split("\n", 1)
        assert rest == "\n".join(lines[start : end + 1]) + "\n"
        assert command.endswith(f"| grep -A{end - start} GraphDriver")  # what the CLI shows, no more
        assert "-init" in lab.text(inspect) and "UpperDir" in lab.text(inspect)
        data = container.attrs["GraphDriver"]["Data"]
        folders = [data["MergedDir"], data["UpperDir"], *data["LowerDir"].split(":")]
    upper = folders[1]
    # The stack drawn: the engine's real folders, top first, with their roles.
    alt = lab.alt(inspect, "lab-stack.png").splitlines()
    assert [line.rsplit(": ", 1)[1] for line in alt[1:]] == folders
    assert alt[1].startswith("merged view") and alt[2].startswith("writable layer (UpperDir)")
    assert alt[3].startswith("-init layer") and alt[-1].startswith("image layer 1 of ")
    drawn = Image.open(io.BytesIO(lab.files(inspect)["lab-stack.png"]))
    drawn.load()
    assert drawn.format == "PNG" and drawn.width == 960 and drawn.height < 1600

    diff_lines = code(lab.message(await lab.run("lab diff"))).splitlines()[1:]
    added_or_changed = {line[2:] for line in diff_lines if line[0] in "AC"}
    deleted = {line[2:] for line in diff_lines if line[0] == "D"}
    host = await lab.run("lab host", locale="en-US")
    whole = lab.files(host).get("lab-host.txt", b"").decode() or code(lab.message(host))
    listing = whole.splitlines()
    if containerd_store(engine):
        assert listing[1] == f"upperdir={upper}"  # read from the container's mount table
        assert "snapshot" in lab.text(host) and "layerdb" in lab.text(host)  # says there is none
    else:
        assert listing[1] == upper.split("/")[-2]  # the mount-id, read from the layerdb mounts file
        assert listing[0].endswith(f"/image/overlay2/layerdb/mounts/{container.id}/mount-id")
    found = {line[len(upper) :] for line in listing[3:]}
    assert found == added_or_changed | deleted
    assert "/tmp/testfile" in found and "/etc/debian_version" in deleted
    assert Path(upper, "tmp/testfile").read_text() == "Hallo\n"  # really there, on this host
    assert Path(upper, "etc/debian_version").is_char_device()  # the whiteout
    assert "`/etc/debian_version`" in lab.text(host)  # named as a whiteout
    assert "docker-desktop-data" in lab.text(host)
    await lab.run("lab rm")
    assert not Path(upper).exists()  # `docker rm` took the writable layer with it


def _check_containerd_inspect(container: Any, shown: str, explained: str) -> list[str]:
    """What /lab inspect shows on the containerd store against the real CLI and the
    container's own mount table; returns the container's folders, top first."""
    graph_driver = docker_cli("inspect", "-f", "{{json .GraphDriver}}", container.id)
    assert shown.splitlines()[1] == graph_driver.strip()  # {"Data":null,"Name":"overlayfs"}
    line = docker_cli("exec", container.id, "grep", " / / ", "/proc/self/mountinfo")
    options = dict(o.partition("=")[::2] for o in line.split(" - ")[1].split()[2].split(","))
    lower = options["lowerdir"].split(":")
    assert f"LowerDir:  (-init) {lower[0]}" in shown and all(f"(image) {p}" in shown for p in lower[1:])
    assert f"{options['upperdir']}" in shown and f"{options['workdir']}" in shown
    merged = next(row for row in shown.splitlines() if row.startswith("MergedDir:")).split()[-1]
    assert f" {merged} " in Path("/proc/self/mountinfo").read_text()  # a real mount on this host
    assert "containerd image store" in explained and "mountinfo" in explained
    return [merged, options["upperdir"], *lower]


async def test_limits_hold_and_the_container_stays(lab: Harness, engine: docker.DockerClient) -> None:
    await lab.run("lab run", command="echo keep > /root/keep")
    looping = await lab.run("lab run", command="sleep 1000 & while :; do :; done")
    assert "Gestopt na 6 s" in lab.text(looping)
    flood = await lab.run("lab run", command="yes @everyone")
    assert lab.message(flood)["allowed_mentions"] == {"parse": []}
    assert "ging voorbij" in lab.text(flood)
    (container,) = lab_containers(engine, STUDENT)
    assert container.status == "running"
    top = container.top()["Processes"]
    assert len(top) == 1  # only the shell: every process of the commands was ended
    # The kernel's OOM killer takes the command (an exec: the engine sets no OOMKilled
    # then, its oom event says so), not the lab container.
    hog = await lab.run("lab run", command='a=$(head -c 300000000 /dev/zero | tr "\\0" a); echo ${#a}')
    assert "Geen geheugen meer" in lab.text(hog) and "\n300000000" not in lab.text(hog), lab.text(hog)
    after = await lab.run("lab run", command="cat /root/keep")
    assert "keep" in code(lab.message(after))
    # Nothing of a command runs on after it, not in the background, not as another user.
    other_user = "setpriv --reuid=65534 --regid=65534 --clear-groups sleep 1000 &"
    await lab.run("lab run", command=f"{other_user} nohup sleep 1000 >/dev/null 2>&1 &")
    container.reload()
    assert container.status == "running" and len(container.top()["Processes"]) == 1


async def test_a_lab_container_over_its_cap_takes_no_more_commands(
    lab: Harness, engine: docker.DockerClient
) -> None:
    filled = await lab.run("lab run", command=FILL_THE_DISK)
    assert "Gestopt: de beschrijfbare laag overschreed" in lab.text(filled)
    refused = await lab.run("lab run", command="echo more > /tmp/more", locale="en-US")
    assert "takes no more commands" in lab.message(refused)["content"]
    assert "`/lab rm`" in lab.message(refused)["content"]
    (container,) = lab_containers(engine, STUDENT)
    assert container.status == "running"  # kept as it is, for the student to look at or remove
    await lab.run("lab rm")
    fresh = await lab.run("lab run", command="echo fresh")
    assert "fresh" in code(lab.message(fresh))


async def test_image_on_an_existing_lab_and_isolation(lab: Harness, engine: docker.DockerClient) -> None:
    await lab.run("lab run", command="echo mine > /tmp/who")
    refused = await lab.run("lab run", command="true", image="layerlab-test/busybox")
    assert "Verwijder hem eerst met `/lab rm`" in lab.message(refused)["content"]
    theirs = await lab.run(
        "lab run",
        command="cat /tmp/who; echo theirs > /tmp/who",
        user=OTHER_STUDENT,
        image="layerlab-test/busybox",
    )
    assert "No such file" in code(lab.message(theirs))
    mine = await lab.run("lab run", command="cat /tmp/who")
    assert "mine" in code(lab.message(mine))
    assert len(lab_containers(engine, STUDENT)) == 1 and len(lab_containers(engine, OTHER_STUDENT)) == 1
    nothing = await lab.run("lab diff", user=FakeUser(id=200000000000000077, name="new"))
    assert "Je hebt nog geen labcontainer" in lab.message(nothing)["content"]


async def test_lab_commit_makes_an_own_image(lab: Harness, engine: docker.DockerClient) -> None:
    await lab.run("lab run", command="echo Hallo > /tmp/testfile")
    committed = await lab.run("lab commit", name="mylab")
    assert re.search(r"\$ docker commit \w+ mylab:latest\nsha256:[0-9a-f]{64}", code(lab.message(committed)))
    used = await lab.run("diff", image="mylab", command="cat /tmp/testfile")
    assert "Hallo" in code(lab.message(used))
    await lab.run("rmi", name="mylab")


async def test_idle_lab_containers_are_stopped_then_removed(
    lab: Harness, engine: docker.DockerClient
) -> None:
    labs = lab.built.labs
    await lab.run("lab run", command="echo Hallo > /tmp/testfile")
    await lab.run("lab run", command="true", user=OTHER_STUDENT)
    assert await labs.tick() == (0, 0)  # just used: nothing happens
    row = await lab.built.repos.labs.get(lab.fake.guild_id, STUDENT.id)
    assert row is not None
    now = row.last_used_at
    assert await labs.tick(now + labs.policy.stop_after + timedelta(seconds=1)) == (2, 0)
    (container,) = lab_containers(engine, STUDENT)
    assert container.status == "exited"
    ps = await lab.run("lab ps")  # reading ps is use: the clock starts again
    assert "removes it" in lab.text(ps) or "verwijdert de bot hem" in lab.text(ps)
    later = now + labs.policy.remove_after + timedelta(minutes=5)
    assert (await labs.tick(later))[1] == 2
    assert not lab_containers(engine, STUDENT) and not lab_containers(engine, OTHER_STUDENT)
    assert await lab.built.repos.labs.all(lab.fake.guild_id) == []


async def test_a_restart_keeps_every_lab_container(engine: docker.DockerClient, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with running_bot(settings) as first:
        await first.run("lab run", command="echo Hallo > /tmp/testfile")
        await first.run("lab run", command="echo B > /tmp/b", user=OTHER_STUDENT)
        await first.run("lab stop", user=OTHER_STUDENT)
        before = await first.built.repos.labs.get(first.fake.guild_id, STUDENT.id)
    # The bot is gone; one row is lost too (as if it died before writing it).
    async with running_bot(settings) as second:
        await second.built.repos.labs.delete(second.fake.guild_id, OTHER_STUDENT.id)
        assert await second.built.labs.reconcile() == (1, 0)
        mine = await second.run("lab run", command="cat /tmp/testfile")
        assert "Hallo" in code(second.message(mine))
        theirs = await second.run("lab run", command="cat /tmp/b", user=OTHER_STUDENT)
        assert "B" in code(second.message(theirs))
        after = await second.built.repos.labs.get(second.fake.guild_id, STUDENT.id)
        assert before is not None and after is not None and after.container_id == before.container_id
        await second.built.labs.reap(second.fake.guild_id)


async def test_teachers_list_and_reap_and_students_cannot(lab: Harness, engine: docker.DockerClient) -> None:
    await lab.run("lab run", command="true")
    await lab.run("lab run", command="true", user=OTHER_STUDENT)
    other_server = Owner(guild_id=31, user_id=STUDENT.id)
    sandbox = lab.built.fleet.engines[0].sandbox
    elsewhere = await sandbox.labs.create(other_server, await sandbox.policy.resolve(other_server, DEBIAN))
    try:
        refused = await lab.run("admin labs")
        assert "Je mag dit commando niet gebruiken" in lab.message(refused)["content"]
        assert "Je mag dit" in lab.message(await lab.run("admin reap"))["content"]
        assert len(lab_containers(engine, STUDENT)) == 2  # nothing was removed

        listing = await lab.run("admin labs", user=TEACHER)
        message = lab.message(listing)
        assert message["flags"] & EPHEMERAL and message["components"] == []
        assert "student_a" in message["content"] and "student_b" in message["content"]
        assert "Labcontainers in deze server: 2" in lab.text(listing)

        one = await lab.run("admin reap", user=ADMIN, student=OTHER_STUDENT)
        assert "1 labcontainer(s) verwijderd" in lab.message(one)["content"]
        assert not lab_containers(engine, OTHER_STUDENT)
        everyone = await lab.run("admin reap", user=TEACHER)
        assert "1 labcontainer(s) verwijderd" in lab.message(everyone)["content"]
        assert [c.id for c in lab_containers(engine, STUDENT)] == [elsewhere.id]  # the other server's stays
    finally:
        engine.containers.get(elsewhere.id).remove(force=True)


async def test_an_image_a_lab_container_uses_cannot_be_removed(
    lab: Harness, engine: docker.DockerClient
) -> None:
    await lab.run("commit", name="base", command="true")
    await lab.run("lab run", image="base", command="true")
    refused = await lab.run("rmi", name="base")
    assert "wordt nog door een container gebruikt" in lab.message(refused)["content"]
    await lab.run("lab rm")
    removed = await lab.run("rmi", name="base")
    assert "Untagged: base:latest" in code(lab.message(removed))


#: What a curious or hostile student leaves in a lab container: names that are
#: hard to print, a loop of two symlinks and one to itself, a tree 200 folders
#: deep, a path of about 3 800 characters (PATH_MAX is 4 096) and 20 000 empty files.
HOSTILE_LAB = (
    "mkdir -p /tmp/h && cd /tmp/h"
    " && touch \"$(printf 'new\\nline')\" \"$(printf '\\033[31mred')\" '```' '@here'"
    " && ln -s a b && ln -s b a && ln -s self self"
    " && mkdir -p $(printf 'd%.0s/' $(seq 1 200))"
    " && n=$(printf 'x%.0s' $(seq 1 250)) && p=/tmp/h/long && for i in $(seq 1 15); do p=$p/$n; done"
    " && mkdir -p $p && touch $p/end"
    " && mkdir /tmp/h/many && cd /tmp/h/many && seq 1 20000 | xargs touch"
)


async def test_hostile_files_in_a_lab_container_are_shown_safely(lab: Harness) -> None:
    made = await lab.run("lab run", command=HOSTILE_LAB, locale="en-US", timeout=60)
    assert "Exit code" in lab.text(made) and "0" in lab.text(made)
    for command in ("lab diff", "lab host", "lab inspect"):
        it = await lab.run(command, locale="en-US", timeout=60)
        message = lab.message(it)
        assert len(message["content"]) <= 2000 and message["allowed_mentions"] == {"parse": []}
        assert message["content"].count("```") % 2 == 0  # every code block closed
        assert "Something went wrong" not in lab.text(it), lab.text(it)
    diff = await lab.run("lab diff", locale="en-US")
    whole = lab.files(diff)["lab-diff.txt"].decode()
    assert "A /tmp/h/new\nline\n" in whole and "A /tmp/h/\x1b[31mred\n" in whole and "A /tmp/h/a\n" in whole
    long_path = next(line for line in whole.splitlines() if line.endswith("/end"))
    assert len(long_path) > 3700
    assert sum(1 for line in whole.splitlines() if line.startswith("A /tmp/h/many/")) == 20000
    # The lab container and the host are fine: the next command runs as usual.
    after = await lab.run("lab run", command="echo still here", locale="en-US")
    assert "still here" in code(lab.message(after))
