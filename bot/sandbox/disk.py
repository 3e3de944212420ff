"""The lab host's free disk space, and the floor below which no student may write.

Free space is measured where the engine keeps its data (``DockerRootDir``) by a
trusted helper running ``df``: the Engine API does not report it, and the bot
may run on another machine than the engine. (With the containerd image store the
snapshots are under containerd's root, which is on the same filesystem in the
usual layout.) A measurement is reused for ``FREE_TTL`` seconds; the disk watch
of every running command asks for it, so while commands run it is fresh.
"""

from __future__ import annotations

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


class DiskGuard:
    def __init__(self, client: EngineClient, helpers: Helpers, floor_bytes: int) -> None:
        self.client = client
        self.helpers = helpers
        self.floor_bytes = floor_bytes  # 0: no floor
        self.ttl = FREE_TTL
        self._free: int | None = None
        self._measured = -FREE_TTL  # monotonic
        self._measuring = threading.Lock()

    # -- async API ------------------------------------------------------------------

    async def free(self) -> int | None:
        """Bytes free on the engine's data root now (None: it could not be measured)."""
        return await self.client.call(self.measure)

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
        lines = text.strip().splitlines()
        try:
            free = int(lines[-1].split()[3]) * 1024  # Filesystem 1024-blocks Used Available ...
        except (IndexError, ValueError):
            log.warning("Could not read the free space of %s on %s: %r", root, self.client.name, text[:200])
            return None
        self._free, self._measured = free, time.monotonic()
        return free

    def _df(self, root: str) -> str:
        # A base image may be a bare busybox without the df link: ask busybox itself then.
        command = ["/bin/sh", "-c", "df -Pk /data 2>/dev/null || busybox df -Pk /data"]
        return self.helpers.run(command, binds={root: {"bind": "/data", "mode": "ro"}})

    def low(self) -> bool:
        """Whether the engine's disk is below the floor (measured at most FREE_TTL ago;
        while another thread measures, its last value counts)."""
        if not self.floor_bytes:
            return False
        if time.monotonic() - self._measured > self.ttl and self._measuring.acquire(blocking=False):
            try:
                self.measure()
            except Exception:  # a helper that fails must not stop the student's command
                log.warning("Could not measure the free space on %s", self.client.name, exc_info=True)
            finally:
                self._measuring.release()
        return self._free is not None and self._free < self.floor_bytes

    def refuse_if_low(self) -> None:
        """Refuse new work while the disk is below the floor."""
        if self.low():
            raise UserError(
                "error.disk_low", free_mb=(self._free or 0) // MB, floor_mb=self.floor_bytes // MB
            )
