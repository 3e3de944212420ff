"""The bot's own image, built from a local Debian base and run against the test engine,
and the compose file for a course's lab host."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.conftest import DEBIAN, ENGINE_SOCKET, storage_driver
from tests.support.local_mirror import WHEELS, served

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parent.parent
BASE = "layerlab-test/python:bookworm"  # Debian's python3, python3-venv, python3-pip (scripts/engine.sh)
IMAGE = "layerlab:ci"
NAME = "layerlab-ci-bot"
HEALTHY_WITHIN = 90.0


def sh(*args: str, input: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, input=input, timeout=timeout, check=False)


def build(engine: docker.DockerClient) -> None:
    """The Dockerfile as it is, its pip pointed at the bot's wheels (scripts/wheelhouse.py),
    served on a network with no way out: the build reaches no index."""
    with served(engine, WHEELS, network="layerlab-test-wheels", alias="wheels") as network:
        built = sh(
            "docker", "build", "-q", "--force-rm", "--network", network, "--build-arg", f"BASE_IMAGE={BASE}",
            "--build-arg", "PIP_NO_INDEX=1", "--build-arg", "PIP_FIND_LINKS=http://wheels/",
            "--build-arg", "PIP_TRUSTED_HOST=wheels",
            "-t", IMAGE, str(ROOT),
        )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]


@pytest.fixture(scope="module")
def bot_container(engine: docker.DockerClient) -> Iterator[docker.models.containers.Container]:
    build(engine)
    sh("docker", "rm", "-f", NAME)
    socket_group = str(Path(ENGINE_SOCKET).stat().st_gid)
    started = sh(
        "docker",
        "run",
        "-d",
        "-i",
        "--name",
        NAME,
        "--group-add",
        socket_group,
        "-v",
        f"{ENGINE_SOCKET}:/var/run/docker.sock",
        "-e",
        f"LAYERLAB_BASE_IMAGES={DEBIAN}",
        "-e",
        f"LAYERLAB_DEFAULT_IMAGE={DEBIAN}",
        "-e",
        "LAYERLAB_WARM_POOL=0",
        "--health-interval",
        "2s",
        "--health-start-period",
        "1s",
        IMAGE,
        "console",  # a long-running process without Discord: the console waiting for input
    )
    assert started.returncode == 0, started.stderr
    try:
        yield engine.containers.get(NAME)
    finally:
        sh("docker", "rm", "-f", "-v", NAME)  # -v: with the anonymous volume of /data
        sh("docker", "rmi", IMAGE)
        sh("docker", "image", "prune", "-f")  # the builder's dangling layers: each run would add some


def test_the_image_runs_as_a_user_and_turns_healthy(
    bot_container: docker.models.containers.Container,
) -> None:
    deadline = time.monotonic() + HEALTHY_WITHIN
    status = ""
    while time.monotonic() < deadline:
        bot_container.reload()
        status = bot_container.attrs["State"].get("Health", {}).get("Status", "")
        if status == "healthy":
            break
        time.sleep(1)
    assert status == "healthy", bot_container.attrs["State"]
    assert bot_container.attrs["Config"]["User"] == "layerlab"
    assert sh("docker", "exec", NAME, "id", "-u").stdout.strip() != "0"


def test_the_console_answers_inside_the_container(bot_container: docker.models.containers.Container) -> None:
    done = sh("docker", "exec", "-i", NAME, "layerlab", "console", input="/info\nquit\n", timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Storage Driver: {storage_driver()}" in done.stdout and " Containers: " in done.stdout


def test_compose_file_is_valid(tmp_path: Path) -> None:
    assert shutil.which("docker-compose"), "docker-compose is installed by scripts/engine.sh"
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    (tmp_path / "Dockerfile").write_text((ROOT / "Dockerfile").read_text())
    done = sh("docker-compose", "-f", str(tmp_path / "compose.yaml"), "config")
    assert done.returncode == 0, done.stderr
    config = done.stdout
    assert "privileged: true" in config and "DOCKER_HOST: tcp://lab-engine:2376" in config
    assert "bot-data" in config and "lab-engine-data" in config
    assert "/var/run/docker.sock" not in config  # the bot never gets the host's engine
