"""The bot as a process of its own (``bot_process.py``) against a ``FakeDiscord`` in
the test's process: for what only a real process shows (``kill -9``, SIGTERM).

The test cannot wait for the bot's own "done" event across processes, so it
waits for what Discord would show: ``until`` polls the fake's state.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord, FakeInteraction, FakeUser

SCRIPT = Path(__file__).with_name("bot_process.py")
#: Seconds a bot process gets to log in and receive its guild.
START_TIMEOUT = 60.0


def settings_env(tmp: Path, **overrides: object) -> dict[str, str]:
    """The environment of a bot process: the test settings (``make_settings``) as variables."""
    from tests.conftest import DEBIAN, TEST_IMAGES

    values: dict[str, object] = {
        "DISCORD_TOKEN": "offline-test-token",
        "LAYERLAB_DATABASE": tmp / "layerlab.db",
        "LAYERLAB_BASE_IMAGES": ",".join(TEST_IMAGES),
        "LAYERLAB_DEFAULT_IMAGE": DEBIAN,
        "LAYERLAB_LANGUAGE": "nl",
        "LAYERLAB_SANDBOX_TIMEOUT": 30,
        "LAYERLAB_SANDBOX_MEMORY_MB": 128,
        "LAYERLAB_SANDBOX_PIDS": 64,
        "LAYERLAB_SANDBOX_WRITABLE_MB": 64,
        "LAYERLAB_SANDBOX_CONCURRENCY": 2,
        "LAYERLAB_WARM_POOL": 0,  # as make_settings: a test that wants the pool says so
        "LAYERLAB_LOG_LEVEL": "INFO",
    }
    values.update({f"LAYERLAB_{k.upper()}": v for k, v in overrides.items()})
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("LAYERLAB_", "DISCORD_"))}
    return {**keep, **{k: str(v) for k, v in values.items()}}


async def until(check: Callable[[], Any], timeout: float = 60.0, what: str = "the bot") -> Any:
    """Poll ``check`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.05)


class RemoteBot:
    """One ``layerlab run`` process; ``start`` again after it died to restart it."""

    def __init__(self, fake: FakeDiscord, env: Mapping[str, str], log: Path) -> None:
        self.fake = fake
        self.env = dict(env)
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.fake.identified.clear()
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(SCRIPT),
                self.fake.base_url,
                env=self.env,
                cwd=str(self.log.parent),
                stdout=out,
                stderr=out,
            )
        try:
            await asyncio.wait_for(self.fake.identified.wait(), START_TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"the bot did not connect; its log:\n{self.log.read_text()}") from None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float) -> int:
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(
                f"the bot did not exit in {timeout} s; its log:\n{self.log.read_text()}"
            ) from None

    # -- talking to it --------------------------------------------------------------

    async def command(self, name: str, user: FakeUser, **values: str) -> FakeInteraction:
        """``/name`` (a group's subcommand as "lab run") with string options."""
        top, *sub = name.split()
        options: list[dict[str, Any]] = [{"name": k, "type": 3, "value": v} for k, v in values.items()]
        for part in reversed(sub):
            options = [{"name": part, "type": 1, "options": options}]
        return await self.fake.slash(top, options, user=user, locale="nl")

    async def click(self, message_id: str, label: str, user: FakeUser) -> FakeInteraction:
        return await self.fake.click(message_id, self.button(message_id, label), user=user)

    def button(self, message_id: str, label: str) -> str:
        message = self.fake.messages[message_id]
        for row in message["components"]:
            for component in row["components"]:
                if component.get("label") == label and "custom_id" in component:
                    return str(component["custom_id"])
        raise AssertionError(f"no button {label!r} on the message: {message['components']}")
