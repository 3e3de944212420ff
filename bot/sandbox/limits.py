"""The limits every student container runs under: plain values (no Docker types).
How the engine enforces each one is ``bot.sandbox.runner.host_config``."""

from __future__ import annotations

from dataclasses import dataclass

#: Bytes in a MiB, for the sizes the bot reports to people.
MB = 1024 * 1024
#: Seconds ``docker stop`` waits before SIGKILL (a shell as PID 1 ignores SIGTERM).
STOP_TIMEOUT = 2


@dataclass(frozen=True, slots=True)
class Limits:
    network: str = "none"
    memory_bytes: int = 256 * 1024 * 1024
    cpus: float = 1.0
    pids: int = 128
    timeout: float = 120.0
    output_bytes: int = 256 * 1024
    file_size_bytes: int = 256 * 1024 * 1024
    writable_bytes: int = 1024 * 1024 * 1024
    #: Free space on the engine's data root below which no student command runs (0: none).
    min_free_bytes: int = 0
    #: Free inodes (files) there below which no student command runs (0: none).
    min_free_inodes: int = 0
