"""Our text against the real docker CLI's, for the same images and containers."""

from __future__ import annotations

import subprocess
from collections.abc import Awaitable, Callable

import docker
import pytest

from bot.clock import utcnow
from bot.render import cli
from bot.sandbox.models import Change, ChangeKind, Owner
from bot.sandbox.sandbox import Sandbox
from tests.conftest import BUSYBOX, DEBIAN, LAYERED, SHIPPED, TEST_IMAGES
from tests.sandbox.conftest import make_sandbox

OWNER = Owner(guild_id=31, user_id=41)
#: "N seconds ago" can tick over between the CLI's call and ours; try again then.
ATTEMPTS = 3


def docker_cli(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout


async def same_as_cli(ours: Callable[[], Awaitable[str]], *args: str) -> None:
    for _ in range(ATTEMPTS):
        expected = docker_cli(*args)
        actual = await ours()
        if actual == expected:
            return
    assert actual == expected


@pytest.fixture
async def sandbox(engine: docker.DockerClient) -> Sandbox:
    box = make_sandbox()
    yield box  # type: ignore[misc]
    await box.close()


@pytest.mark.parametrize("image", [DEBIAN, LAYERED, SHIPPED, BUSYBOX])
@pytest.mark.parametrize("trunc", [True, False])
async def test_history_matches_the_cli(sandbox: Sandbox, image: str, trunc: bool) -> None:
    ref = await sandbox.policy.resolve(OWNER, image)

    async def ours() -> str:
        return cli.history(await sandbox.images.history(ref), now=utcnow(), trunc=trunc)

    await same_as_cli(ours, "history", *([] if trunc else ["--no-trunc"]), image)


async def test_images_matches_the_cli(sandbox: Sandbox, engine: docker.DockerClient) -> None:
    """Newest first, as the CLI: images made in the same second (the engine's list
    has whole seconds) come in no set order from the CLI either, so within one
    second the rows are compared as a set."""
    created = {
        image.short_id.removeprefix("sha256:"): image.attrs["Created"][:19] for image in engine.images.list()
    }

    def by_second(text: str) -> list[tuple[str, frozenset[str]]]:
        header, *rows = text.splitlines()
        groups: list[tuple[str, set[str]]] = []
        for row in rows:
            second = created.get(row.split()[2], row)
            if not groups or groups[-1][0] != second:
                groups.append((second, set()))
            groups[-1][1].add(row)
        return [("header", frozenset([header])), *((k, frozenset(v)) for k, v in groups)]

    filters = [f"--filter=reference={name}" for name in TEST_IMAGES]
    for _ in range(ATTEMPTS):
        expected = docker_cli("images", *filters)
        actual = cli.images((await sandbox.images.overview(OWNER)).base, now=utcnow())
        if by_second(actual) == by_second(expected):
            break
    assert by_second(actual) == by_second(expected)
    # Column widths as the CLI's (rows of the same second may come in either order).
    widths = sorted(len(line) for line in actual.splitlines())
    assert widths == sorted(len(line) for line in expected.splitlines())


def _parents_first(diff_text: str) -> bool:
    seen: set[str] = set()
    for line in diff_text.splitlines():
        path = line[2:]
        parent = path.rsplit("/", 1)[0]
        if parent and parent not in seen:
            return False
        seen.add(path)
    return True


@pytest.mark.parametrize(
    "command",
    [
        "echo Hallo > /tmp/testfile",
        "rm -rf /usr/share/doc && mkdir -p /opt/x/y && touch /opt/x/y/z && echo x >> /etc/hosts.allow",
        "apt-get --version > /dev/null",
    ],
)
async def test_diff_matches_the_cli(sandbox: Sandbox, engine: docker.DockerClient, command: str) -> None:
    """The engine returns a container's changes in a different order on each call
    (it walks Go maps), and the CLI prints them as they come; so do we. What is
    fixed: the same lines, each directory before what is inside it."""
    name = "layerlab-cli-diff"
    try:
        docker_cli("run", "-t", "--name", name, DEBIAN, "/bin/sh", "-c", command)
        expected = docker_cli("diff", name)
        same = [Change(ChangeKind(c["Kind"]), c["Path"]) for c in engine.api.diff(name) or ()]
        assert sorted(cli.diff(same).splitlines()) == sorted(expected.splitlines())
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    ref = await sandbox.policy.resolve(OWNER, DEBIAN)
    ours = cli.diff((await sandbox.runner.run(OWNER, ref, command)).changes)
    assert sorted(ours.splitlines()) == sorted(expected.splitlines())
    assert _parents_first(ours) and _parents_first(expected)


async def test_info_matches_the_cli(sandbox: Sandbox) -> None:
    async def ours() -> str:
        return cli.info(await sandbox.host.info(OWNER))

    for _ in range(ATTEMPTS):
        full = docker_cli("info")
        server = full[full.index("Server:") :]
        lines = server.splitlines()
        # The lines we show: the counts, the version, the storage driver and its status lines.
        start = lines.index(next(line for line in lines if line.startswith(" Storage Driver:")))
        end = start + 1
        while end < len(lines) and lines[end].startswith("  "):
            end += 1
        expected = "\n".join([*lines[:7], *lines[start:end]]) + "\n"
        if await ours() == expected:
            return
    assert await ours() == expected
