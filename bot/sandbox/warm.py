"""Warm containers: started, idle containers of the course's base images, kept
ready on one engine so that a one-shot command (``/diff``, Try it, a class
prediction's demo) skips the engine's ``create`` and ``start``.

A warm container is made exactly as a one-shot container is (same limits, same
labels but its purpose, same terminal) except for its first process, which
waits (``read`` on its open stdin) instead of being the student's command. The
command then runs as an exec in it: ``Runner._run_warm``. Each is used for one
command of one student, then killed and removed; it never serves twice.

The pool (``LAYERLAB_WARM_POOL`` per base image, 0: off) is kept full by one
background task per engine, which also removes the used ones, so neither a
start nor a removal is on the path from interaction to result. It holds
containers of the offered base images only, as the engine knows them now: when
a tag points at another image (``layerlab images prepare`` fetched a newer one)
or the image is gone, its containers are dropped. A warm container is retired
after ``MAX_AGE`` unused (so another bot process, and the janitor after a crash,
can tell a leftover by its age), and the pool is emptied when the bot stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import docker.errors

from bot.errors import ShuttingDown, UserError
from bot.sandbox import labels, refs
from bot.sandbox.client import EngineClient
from bot.sandbox.policy import image_id
from bot.sandbox.runner import Runner

log = logging.getLogger(__name__)

#: The first process of a warm container: it waits on the open stdin, writes
#: nothing, and is the container's PID 1 (``sh`` is in every image the course offers).
IDLE_COMMAND = ["/bin/sh", "-c", "read _"]
#: Seconds an unused warm container is kept before it is replaced.
MAX_AGE = 600.0
#: Seconds between the keeper's checks that each tag still names the same image.
CHECK_EVERY = 30.0
#: Seconds the keeper waits after the engine refused (down, disk low) before trying again.
BACKOFF = 5.0
#: Seconds after a container is taken that the keeper starts another, if the
#: command is still running then (most are done sooner, and a start beside them slows them).
REFILL_AFTER = 1.0
#: Seconds a closing pool gives its keeper to finish the step under way.
CLOSE_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class Warm:
    """One warm container: its id, the image ID it was made from, when (monotonic)."""

    id: str
    image_id: str
    born: float


class WarmPool:
    """The warm containers of one engine, by base image (normalised reference)."""

    def __init__(self, client: EngineClient, runner: Runner, images: Sequence[str], size: int) -> None:
        self.client = client
        self.runner = runner
        self.size = size
        self.images = tuple(dict.fromkeys(refs.normalize(i) for i in images))
        self._idle: dict[str, list[Warm]] = {ref: [] for ref in self.images}
        self._absent: set[str] = set()  # offered but not on this engine (until the next check)
        self._used: list[str] = []  # container ids to remove
        self._all_removed = asyncio.Event()  # set while nothing waits to be removed
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._checked = 0.0

    # -- on the event loop ------------------------------------------------------------

    def start(self) -> None:
        """Start the keeper (once; a pool of size 0 keeps nothing and starts none)."""
        if self.size and self._task is None and not self._closed:
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._keep(), name=f"warm-pool-{self.client.name}")

    def take(self, ref: str) -> Warm | None:
        """A warm container of ``ref`` for one command, or None (not pooled, or none ready)."""
        if self._closed or self._task is None:
            return None
        idle = self._idle.get(refs.normalize(ref))
        if idle is None:  # a student's own image, or one that is not offered
            return None
        found = None
        now = time.monotonic()
        while idle and found is None:
            warm = idle.pop(0)
            if now - warm.born < MAX_AGE:
                found = warm
            else:
                self._discard(warm.id)
        # No refill at once: a start now would slow this very command's diff (two
        # cores here: 250 ms instead of 220). ``used`` wakes the keeper when it is
        # done, or, for a command that runs longer, this after REFILL_AFTER.
        if found is None:
            self._poke()
        else:
            asyncio.get_running_loop().call_later(REFILL_AFTER, self._poke)
        return found

    def used(self, warm: Warm) -> None:
        """A taken container is done with: it is removed in the background."""
        self._discard(warm.id)
        self._poke()

    def recheck(self) -> None:
        """The keeper checks its containers and the tags now (a taken one had died)."""
        self._checked = 0.0
        self._poke()

    def _discard(self, container_id: str) -> None:
        self._used.append(container_id)
        self._all_removed.clear()

    async def settled(self, timeout: float = 30.0) -> None:
        """Wait until every used container is removed (tests; a stop empties the pool)."""
        if self._used and self._task is not None and not self._task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._all_removed.wait(), timeout)

    def idle(self) -> dict[str, int]:
        """How many warm containers wait, per image (/admin status, tests, benchmarks)."""
        return {ref: len(found) for ref, found in self._idle.items()}

    def wanted(self) -> int:
        """How many warm containers the pool keeps when full (0: the pool is off)."""
        return self.size * len(self.images) if self._task is not None and not self._closed else 0

    async def close(self) -> int:
        """Stop the keeper and remove every container of the pool; returns how many."""
        self._closed = True
        self._poke()
        if self._task is not None:
            # Let it finish the step under way (a container it is starting would
            # otherwise appear after the list below); past CLOSE_WAIT it is cancelled.
            await asyncio.wait({self._task}, timeout=CLOSE_WAIT)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        every = [w.id for found in self._idle.values() for w in found] + self._used
        for found in self._idle.values():
            found.clear()
        self._used = []
        for container_id in every:
            await self.client.call(self.runner.remove, container_id)
        return len(every)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _keep(self) -> None:
        assert self._wake is not None
        while not self._closed:
            try:
                await self._remove_used()
                if time.monotonic() - self._checked > CHECK_EVERY:
                    await self._check()
                wanting = next((r for r in self.images if self._wants(r)), None)
                if wanting is None:
                    await self._pause(CHECK_EVERY)
                    continue
                warm = await self.client.call(self._start_one, wanting)
                if warm is None:
                    self._absent.add(wanting)
                elif self._closed:
                    await self.client.call(self.runner.remove, warm.id)
                else:
                    self._idle[wanting].append(warm)
            except asyncio.CancelledError:
                raise
            except (ShuttingDown, UserError, docker.errors.DockerException) as exc:
                log.info("Warm pool on %s waits: %s", self.client.name, exc)
                self._checked = 0.0  # once it answers again, first see what still runs
                await self._pause(BACKOFF)  # (not recheck(): a poke would end the back-off)
            except Exception:  # the keeper must outlive any one failure
                log.exception("Warm pool on %s failed; trying again", self.client.name)
                await self._pause(BACKOFF)

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less when poked (a container used, the pool closing).
        A poke while the keeper was busy ends the wait at once: it is cleared only
        after the wait, so none is lost."""
        assert self._wake is not None
        if self._closed:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    def _wants(self, ref: str) -> bool:
        return ref not in self._absent and len(self._idle[ref]) < self.size

    async def _remove_used(self) -> None:
        while self._used:
            await self.client.call(self.runner.remove, self._used[0])
            self._used.pop(0)
        self._all_removed.set()

    async def _check(self) -> None:
        """Drop containers of images a tag no longer names, those past their age, and
        those that no longer run (an engine restart ends them all)."""
        self._checked = time.monotonic()
        current, running = await self.client.call(self._facts)
        now = time.monotonic()
        self._absent = {ref for ref, found in current.items() if found is None}
        for ref, idle in self._idle.items():
            keep = [
                w
                for w in idle
                if w.image_id == current.get(ref) and now - w.born < MAX_AGE and w.id in running
            ]
            for gone in (w for w in idle if w not in keep):
                self._discard(gone.id)
            self._idle[ref] = keep

    # -- on the worker threads ----------------------------------------------------------

    def _facts(self) -> tuple[dict[str, str | None], set[str]]:
        """The image ID each offered tag names now, and the warm containers that run."""
        api = self.client.api
        running = api.containers(filters={**labels.purpose_filter(labels.PURPOSE_WARM), "status": "running"})
        return {ref: image_id(api, ref) for ref in self.images}, {row["Id"] for row in running}

    def _start_one(self, ref: str) -> Warm | None:
        """A new warm container of ``ref``, started; None when the image is not here."""
        found = image_id(self.client.api, ref)
        if found is None:
            return None
        container_id = self.runner.create(
            ref, IDLE_COMMAND, labels.helper_labels(labels.PURPOSE_WARM), keep=True
        )
        try:
            self.client.api.start(container_id)
        except BaseException:
            self.runner.remove(container_id)
            raise
        return Warm(container_id, found, time.monotonic())
