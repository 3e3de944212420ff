"""The lab host's free disk space, and the floor below which no student may write.

Two things run out on a disk: bytes, and inodes (one per file, directory or link).
A writable layer's size (``SizeRw``) counts bytes only, so a flood of empty files
passes every byte cap while it uses up the filesystem's inodes, after which no
one on the host can create a file. Both are measured, each against its own floor.

Free space is measured where the engine keeps its data (``DockerRootDir``) by a
trusted helper running ``df``: the Engine API does not report it, and the bot
may run on another machine than the engine. (With the containerd image store the
snapshots are under containerd's root, which is on the same filesystem in the
usual layout.) A measurement is reused for ``FREE_TTL`` seconds; the disk watch
of every running command asks for it, so while commands run it is fresh. A command
about to start does not wait for a new one (a helper takes a few tenths of a
second, as long as the command itself, and slows the engine's other work while
it runs): past half of ``FREE_STALE`` it asks for one beside it and goes by the
last, and only past ``FREE_STALE`` it waits for a new one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import docker.errors
import requests.exceptions

from bot.errors import UserError
from bot.sandbox.client import EngineClient
from bot.sandbox.helpers import Helpers
from bot.sandbox.limits import MB

log = logging.getLogger(__name__)

#: Seconds a free-space measurement is reused.
FREE_TTL = 5.0
#: Seconds after which a command about to start waits for a new measurement.
FREE_STALE = 30.0
#: Seconds a closing sandbox waits for a measurement under way.
CLOSE_WAIT = 15.0
#: Separates the two parts of the helper's output (bytes, then inodes).
INODES_MARK = "--inodes--"


class DiskGuard:
    def __init__(
        self, client: EngineClient, helpers: Helpers, floor_bytes: int, floor_inodes: int = 0
    ) -> None:
        self.client = client
        self.helpers = helpers
        self.floor_bytes = floor_bytes  # 0: no floor
        self.floor_inodes = floor_inodes  # 0: no floor
        self.ttl = FREE_TTL
        self._free: int | None = None
        #: Inodes free at the last measurement (None: not measured, or a filesystem
        #: without a fixed number of them, such as btrfs, which reports 0).
        self.free_inodes: int | None = None
        self._measured = -FREE_TTL  # monotonic
        self._measuring = threading.Lock()
        self._aside: threading.Thread | None = None  # a measurement started beside a command

    # -- async API ------------------------------------------------------------------

    async def free(self) -> int | None:
        """Bytes free on the engine's data root now (None: it could not be measured)."""
        return await self.client.call(self.measure)

    async def close(self) -> None:
        """Wait for a measurement started beside a command (its helper container is
        removed by then, and none starts after the sandbox is closed)."""
        aside = self._aside
        if aside is not None and aside.is_alive():
            await asyncio.to_thread(aside.join, CLOSE_WAIT)

    # -- on the worker threads --------------------------------------------------------

    def measure(self) -> int | None:
        root = str(self.client.api.info().get("DockerRootDir") or "/var/lib/docker")
        # A failed try counts as a measurement too: it is tried again after FREE_TTL,
        # not before every command (the last good value, if any, still counts).
        self._measured = time.monotonic()
        try:
            text = self._df(root)
        except (docker.errors.DockerException, requests.exceptions.ReadTimeout, UserError) as exc:
            log.warning("Could not measure the free space on %s: %s", self.client.name, exc)
            return None
        blocks, _, inodes = text.partition(INODES_MARK)
        try:
            # Filesystem 1024-blocks Used Available ... / Filesystem Inodes IUsed IFree ...
            free = int(blocks.strip().splitlines()[-1].split()[3]) * 1024
        except (IndexError, ValueError):
            log.warning("Could not read the free space of %s on %s: %r", root, self.client.name, text[:200])
            return None
        self.free_inodes = parse_inodes(inodes)
        self._free, self._measured = free, time.monotonic()
        return free

    def _df(self, root: str) -> str:
        # A base image may be a bare busybox without the df link: ask busybox itself then.
        script = (
            "df -Pk /data 2>/dev/null || busybox df -Pk /data;"
            f" echo {INODES_MARK}; df -Pi /data 2>/dev/null || busybox df -Pi /data"
        )
        return self.helpers.run(["/bin/sh", "-c", script], binds={root: {"bind": "/data", "mode": "ro"}})

    def low(self) -> bool:
        """Whether the engine's disk is below the floor (measured at most FREE_TTL ago;
        while another thread measures, its last value counts)."""
        if not self.floor_bytes and not self.floor_inodes:
            return False
        if time.monotonic() - self._measured > self.ttl and self._measuring.acquire(blocking=False):
            try:
                self.measure()
            except Exception:  # a helper that fails must not stop the student's command
                log.warning("Could not measure the free space on %s", self.client.name, exc_info=True)
            finally:
                self._measuring.release()
        return self._bytes_low() or self._inodes_low()

    def _bytes_low(self) -> bool:
        return bool(self.floor_bytes) and self._free is not None and self._free < self.floor_bytes

    def _inodes_low(self) -> bool:
        return (
            bool(self.floor_inodes) and self.free_inodes is not None and self.free_inodes < self.floor_inodes
        )

    def _measure_aside(self) -> None:
        """A new measurement in a thread of its own (none if one is under way)."""
        if not self._measuring.acquire(blocking=False):
            return

        def measure() -> None:
            try:
                self.measure()
            except Exception:
                log.warning("Could not measure the free space on %s", self.client.name, exc_info=True)
            finally:
                self._measuring.release()

        self._aside = threading.Thread(target=measure, name="disk-measure", daemon=True)
        self._aside.start()

    def refuse_if_low(self) -> None:
        """Refuse new work while the disk is below a floor (by the last measurement
        when it is recent: see the module's text)."""
        if not self.floor_bytes and not self.floor_inodes:
            return
        age = time.monotonic() - self._measured
        if age > max(FREE_STALE, self.ttl):
            self.low()
        elif age > max(FREE_STALE / 2, self.ttl):
            self._measure_aside()
        if not self._bytes_low() and not self._inodes_low():
            return
        if self._bytes_low():
            raise UserError(
                "error.disk_low", free_mb=(self._free or 0) // MB, floor_mb=self.floor_bytes // MB
            )
        raise UserError("error.inodes_low", free=self.free_inodes or 0, floor=self.floor_inodes)


def parse_inodes(text: str) -> int | None:
    """Free inodes from ``df -Pi`` (None when unreadable, or when the filesystem has
    no fixed number: its total is 0)."""
    try:
        _, total, _, free, *_ = text.strip().splitlines()[-1].split()
        return int(free) if int(total) > 0 else None
    except (IndexError, ValueError):
        return None
