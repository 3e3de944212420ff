"""Shared fixtures: a real Docker engine, real SQLite, real discord.py against FakeDiscord.

Nothing is skipped: when the engine or a test image is missing, the tests that
need it fail, and tell how to get it (``scripts/test`` sets everything up).
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import docker
import pytest

from bot.app import Services
from bot.console import offline
from bot.sandbox.models import DEFAULT_DOCKER_HOST, Owner
from bot.settings import Settings
from fakediscord import FakeDiscord, FakeInteraction, FakeUser, OfflineSession
from tests.support.local_mirror import APT, served

#: The engine under test (scripts/test runs the engine suite once per engine of the
#: matrix, LAYERLAB_TEST_ENGINES): its URL, its socket, and its name in the matrix.
ENGINE_URL = os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST
ENGINE_SOCKET = ENGINE_URL.removeprefix("unix://")
ENGINE = os.environ.get("LAYERLAB_TEST_ENGINE", "20.10")

DEBIAN = "layerlab-test/debian:bookworm"
BUSYBOX = "layerlab-test/busybox:latest"
LAYERED = "layerlab-test/layered:latest"
SHIPPED = "layerlab-test/shipped:latest"
TEST_IMAGES = (DEBIAN, BUSYBOX, LAYERED, SHIPPED)

STUDENT = FakeUser(id=200000000000000001, name="student_a")
OTHER_STUDENT = FakeUser(id=200000000000000002, name="student_b")


def containerd_store(client: docker.DockerClient) -> bool:
    """Whether the engine under test keeps images in the containerd image store."""
    return any("io.containerd.snapshotter" in str(v) for _, v in client.info().get("DriverStatus") or ())


@functools.cache
def storage_driver() -> str:
    """The engine under test's storage driver: "overlay2" (classic) or "overlayfs" (containerd)."""
    with contextlib.closing(docker.from_env()) as client:
        return str(client.info()["Driver"])


def docker_cli(*args: str) -> str:
    """The real docker CLI's output, on the engine under test (DOCKER_HOST)."""
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database": tmp / "layerlab.db",
        "base_images": list(TEST_IMAGES),
        "default_image": DEBIAN,
        "language": "nl",
        "sandbox_timeout": 20.0,
        "sandbox_memory_mb": 128,
        "sandbox_pids": 64,
        "sandbox_output_bytes": 64 * 1024,
        "sandbox_file_size_mb": 16,
        "sandbox_writable_mb": 64,
        "sandbox_concurrency": 2,
        "image_quota": 3,
        # Off unless a test asks: most tests start a bot of their own, and filling its
        # pool would cost each a few container starts (tests/sandbox/test_warm.py and
        # the pooled runs of tests/bot test it).
        "warm_pool": 0,
        "discord_token": None,
        "guild_ids": [],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


#: Course servers the tests play in; their images are removed before and after a run.
TEST_GUILDS = (FakeDiscord().guild_id, 11, 31)


def _remove_test_images(client: docker.DockerClient) -> None:
    for guild in TEST_GUILDS:
        for image in client.images.list(filters={"label": f"org.layerlab.guild={guild}"}):
            for tag in image.tags:
                client.images.remove(tag, force=True)


@pytest.fixture(scope="session")
def engine() -> Iterator[docker.DockerClient]:
    """The real engine; fails (never skips) when it is not there. Every test that
    uses it, directly or through another fixture, is marked ``docker``."""
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:
        pytest.fail(f"No Docker engine answers ({exc}). Run scripts/test, which starts one.", pytrace=False)
    missing = [name for name in TEST_IMAGES if not client.images.list(name=name)]
    if missing:
        pytest.fail(f"Test images missing: {missing}. Run scripts/engine.sh to build them.", pytrace=False)
    _remove_test_images(client)
    yield client
    _remove_test_images(client)
    client.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``docker`` marks every test that needs the engine: ``scripts/test --fast``
    runs the others (``-m "not docker"``) with no engine reachable."""
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def apt_network(engine: docker.DockerClient) -> Iterator[str]:
    """The network on which `apt` reaches the local Debian mirror (tests/support/local_mirror.py)."""
    with served(engine, APT, network="layerlab-test-apt", alias="deb.debian.org") as network:
        yield network


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("layerlab")


class Harness:
    """A running bot and the fake Discord it talks to."""

    def __init__(self, fake: FakeDiscord, built: Services, session: OfflineSession) -> None:
        self.fake = fake
        self.built = built
        self.session = session
        self.bot = session.bot

    async def run(
        self,
        name: str,
        /,
        *,
        user: FakeUser = STUDENT,
        locale: str = "nl",
        timeout: float = 120.0,
        **options: Any,
    ) -> FakeInteraction:
        return await self.session.command(name, user=user, locale=locale, timeout=timeout, **options)

    async def autocomplete(
        self, name: str, option: str, current: str, *, user: FakeUser = STUDENT, **filled: Any
    ) -> list[Any]:
        return await self.session.autocomplete(name, option, current, user=user, filled=filled)

    def session_owner(self, user: FakeUser) -> Owner:
        return Owner(guild_id=self.fake.guild_id, user_id=user.id)

    def message(self, interaction: FakeInteraction) -> dict[str, Any]:
        assert interaction.original_id, "the bot never answered"
        return self.fake.messages[interaction.original_id]

    def files(self, interaction: FakeInteraction) -> dict[str, bytes]:
        assert interaction.original_id
        return self.fake.files.get(interaction.original_id, {})

    def alt(self, interaction: FakeInteraction, filename: str) -> str:
        """The text alternative of an attached picture (Discord's attachment description)."""
        attachments = self.message(interaction)["attachments"]
        return str(next(a for a in attachments if a["filename"] == filename)["description"])

    def text(self, interaction: FakeInteraction) -> str:
        """Everything a reader sees in the answer: content and embeds."""
        message = self.message(interaction)
        parts = [message["content"]]
        for embed in message["embeds"]:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        return "\n".join(parts)


@asynccontextmanager
async def running_bot(settings: Settings, fake: FakeDiscord | None = None) -> AsyncIterator[Harness]:
    """A bot against a fake Discord; pass ``fake`` to keep Discord's side across bot restarts."""
    own = fake is None
    if fake is None:
        fake = FakeDiscord()
        await fake.start()
    try:
        async with offline(settings, fake) as (built, session):
            yield Harness(fake, built, session)
        assert not fake.violations, f"the bot broke Discord's rules: {fake.violations}"
    finally:
        if own:
            await fake.stop()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """Discord's side on its own, kept across the bot restarts (or bot processes) of one test."""
    discord = FakeDiscord()
    await discord.start()
    yield discord
    await discord.stop()


@pytest.fixture(scope="session")
async def harness(engine: docker.DockerClient, session_tmp: Path) -> AsyncIterator[Harness]:
    async with running_bot(make_settings(session_tmp)) as running:
        yield running


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: everything here must really run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
