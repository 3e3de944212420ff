"""How one command is started, ended early and awaited: in a fresh container whose
first process it is (a one-shot run), or as an exec in a container that lives on
(a lab container). The runner (runner.py) does the rest the same way for both."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import docker.errors
import requests.exceptions

#: How often an exec's end is polled after its output closed.
EXEC_POLL = 0.05


class Target(Protocol):
    """How one command is started, ended early, and awaited."""

    def start(self) -> Iterator[bytes]:
        """Start the command; its terminal output as it comes."""
        ...

    def stop(self) -> None:
        """End the command now (the deadline passed, or the output overflowed)."""
        ...

    def wait(self, remaining: float) -> int | None:
        """The command's exit code, waiting at most ``remaining`` seconds (None: still running)."""
        ...


class FreshTarget:
    """The container's own first process is the command (a one-shot run)."""

    def __init__(self, api: Any, container_id: str) -> None:
        self.api, self.id = api, container_id

    def start(self) -> Iterator[bytes]:
        # Attach before start, as `docker run` does, so nothing is missed.
        stream = self.api.attach(self.id, stdout=True, stderr=True, stream=True, logs=True)
        self.api.start(self.id)
        return stream  # type: ignore[no-any-return]

    def stop(self) -> None:
        with contextlib.suppress(docker.errors.APIError):  # already gone
            self.api.kill(self.id)

    def wait(self, remaining: float) -> int | None:
        try:
            return int(self.api.wait(self.id, timeout=max(1.0, remaining))["StatusCode"])
        except (requests.exceptions.ConnectionError, requests.exceptions.ReadTimeout):
            # Over the unix socket a wait that times out surfaces as ConnectionError.
            return None


class ExecTarget:
    """The command is a ``docker exec`` in a container that stays (a lab container).
    ``reap`` ends every process in it but its first (from outside: see ``Runner.reap``)."""

    def __init__(self, api: Any, container_id: str, command: list[str], reap: Callable[[], None]) -> None:
        self.api, self.id, self.reap = api, container_id, reap
        self.exec_id = api.exec_create(container_id, command, tty=True, stdout=True, stderr=True)["Id"]

    def start(self) -> Iterator[bytes]:
        return self.api.exec_start(self.exec_id, stream=True, tty=True)  # type: ignore[no-any-return]

    def stop(self) -> None:
        # Every process but the container's first: the container and its files stay.
        self.reap()

    def wait(self, remaining: float) -> int | None:
        deadline = time.monotonic() + remaining
        info = self.api.exec_inspect(self.exec_id)
        while info.get("Running") and time.monotonic() < deadline:
            time.sleep(EXEC_POLL)
            info = self.api.exec_inspect(self.exec_id)
        code = info.get("ExitCode")
        return None if info.get("Running") or code is None else int(code)
