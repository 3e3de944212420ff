"""How one command is started, ended early and awaited: in a fresh container whose
first process it is (a one-shot run), or as an exec in a container that lives on
(a lab container). The runner (runner.py) does the rest the same way for both.

The output is read from the raw socket of the attach (or exec) request, which
``OutputStream.close`` shuts down. That matters: the engine writes a container's
terminal output to every attached reader before it reads more of it, and the
container's exit is reported only once its output is drained. A reader that
stops reading but keeps its socket open (closing docker-py's stream generator
leaves the socket open) can hold a flooding container, dead after its SIGKILL,
"running" in the engine for good (seen here once with dockerd 28.5: a remove
then hung for the whole API timeout).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import docker.errors
import requests.exceptions
from docker.utils.socket import read as read_socket

from bot.sandbox.container_facts import oom_event

#: How often an exec's end is polled after its output closed: quickly at first (most
#: commands of the course end within milliseconds of their output), then less often.
EXEC_POLL_FIRST = 0.005
EXEC_POLL = 0.05
EXEC_FAST_POLLS = 20
#: Bytes asked of the socket at a time.
CHUNK = 32 * 1024


class OutputStream:
    """A command's terminal output as it comes, from the request's raw socket
    (a terminal: no stream headers to take apart); ``close`` shuts the socket."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            data = read_socket(self.sock, CHUNK)
        except OSError:  # shut down by close(), or by the engine
            raise StopIteration from None
        if not data:
            raise StopIteration
        return bytes(data)

    def close(self) -> None:
        raw = getattr(self.sock, "_sock", self.sock)  # the socket inside a SocketIO
        with contextlib.suppress(OSError):
            raw.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.sock.close()


class Target(Protocol):
    """How one command is started, ended early, and awaited."""

    def start(self) -> OutputStream:
        """Start the command; its terminal output as it comes."""
        ...

    def stop(self) -> None:
        """End the command now (the deadline passed, or the output overflowed)."""
        ...

    def wait(self, remaining: float) -> int | None:
        """The command's exit code, waiting at most ``remaining`` seconds (None: still running)."""
        ...

    def oom_killed(self, since: int) -> bool:
        """Whether the kernel's OOM killer ended it (asked only of an exit code 137)."""
        ...


class FreshTarget:
    """The container's own first process is the command (a one-shot run)."""

    def __init__(self, api: Any, container_id: str) -> None:
        self.api, self.id = api, container_id

    def start(self) -> OutputStream:
        # Attach before start, as `docker run` does, so nothing is missed.
        sock = self.api.attach_socket(self.id, params={"stdout": 1, "stderr": 1, "stream": 1, "logs": 1})
        try:
            self.api.start(self.id)
        except BaseException:
            OutputStream(sock).close()
            raise
        return OutputStream(sock)

    def stop(self) -> None:
        with contextlib.suppress(docker.errors.APIError):  # already gone
            self.api.kill(self.id)

    def oom_killed(self, since: int) -> bool:
        """Whether the kernel's OOM killer ended the command (its container's first process)."""
        return bool(self.api.inspect_container(self.id)["State"].get("OOMKilled"))

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

    def start(self) -> OutputStream:
        return OutputStream(self.api.exec_start(self.exec_id, socket=True, tty=True))

    def stop(self) -> None:
        # Every process but the container's first: the container and its files stay.
        self.reap()

    def oom_killed(self, since: int) -> bool:
        """Whether the kernel's OOM killer struck in the container since ``since``: it
        took a process of the exec, not the first one, so the engine does not set
        OOMKilled, but it reports the event."""
        return oom_event(self.api, self.id, since)

    def wait(self, remaining: float) -> int | None:
        deadline = time.monotonic() + remaining
        info = self.api.exec_inspect(self.exec_id)
        polls = 0
        while info.get("Running") and time.monotonic() < deadline:
            time.sleep(EXEC_POLL_FIRST if polls < EXEC_FAST_POLLS else EXEC_POLL)
            polls += 1
            info = self.api.exec_inspect(self.exec_id)
        code = info.get("ExitCode")
        return None if info.get("Running") or code is None else int(code)


class WarmGone(Exception):
    """A warm container taken from the pool no longer runs: nothing ran in it."""


class WarmTarget(ExecTarget):
    """The command as an exec in a warm container, which serves this one command
    (warm.py): ending it early kills the whole container, as a one-shot's is killed."""

    def __init__(self, api: Any, container_id: str, command: list[str]) -> None:
        try:
            super().__init__(api, container_id, command, reap=lambda: None)
        except docker.errors.APIError as exc:  # it no longer runs (an engine restart ends them all)
            raise WarmGone(container_id) from exc

    def stop(self) -> None:
        with contextlib.suppress(docker.errors.APIError):  # already gone
            self.api.kill(self.id)
