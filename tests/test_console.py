"""`python -m bot` as an operator starts it, from another folder, with no token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import docker
import pytest

from tests.conftest import DEBIAN, TEST_IMAGES

#: What this checks is the bot's, the same on every engine: scripts/test runs it on the first.
pytestmark = pytest.mark.one_engine


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERLAB_") and k != "DISCORD_TOKEN"}
    env.update(
        LAYERLAB_DATABASE=str(tmp_path / "console.db"),
        LAYERLAB_BASE_IMAGES=",".join(TEST_IMAGES),
        LAYERLAB_DEFAULT_IMAGE=DEBIAN,
        LAYERLAB_LANGUAGE="en",
        LAYERLAB_WARM_POOL="0",
    )
    return env


def test_console_runs_slash_commands(tmp_path: Path, engine: docker.DockerClient) -> None:
    typed = "\n".join(
        [
            "/diff",
            '/diff command:"echo hi; ls /nope"',
            "/history layerlab-test/layered",
            "click 1",
            "/history ../x",
            "/nonsense",
            "click 1",
            '/overlay run command:"mkdir -p l u w m && touch l/x'
            ' && mount -t overlay overlay -o userxattr,lowerdir=l,upperdir=u,workdir=w m && rm m/x"',
            "/overlay show",
            "/overlay reset",
            "quit",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=typed,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        timeout=120,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "C /tmp\nA /tmp/testfile" in out
    assert "hi\nls: cannot access '/nope': No such file or directory" in out
    assert "Exit code: 2" in out
    assert "CREATED BY" in out and "debootstrap --variant=minbase bookworm" in out
    assert "is not a valid image name" in out
    assert "? no command /nonsense" in out
    assert "message (everyone in the channel)" in out  # "click 1" posted the history
    assert "? no such button" in out  # an error answer has no button to press
    assert "overlay on /overlay/m type overlay (lowerdir=/overlay/l,upperdir=/overlay/u" in out
    assert "whiteout (c 0,0)" in out and "Your playground is gone" in out
    assert (tmp_path / "console.db").exists()


def test_no_token_and_no_terminal_exits_with_a_clear_message(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        timeout=60,
    )
    assert done.returncode == 2
    assert "no DISCORD_TOKEN and no terminal" in done.stderr


def test_run_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"], capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path)
    )
    assert done.returncode == 2 and "DISCORD_TOKEN is not set" in done.stderr
