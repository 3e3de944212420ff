"""Several lab engines, and which one holds each student's containers and images.

A student is placed on one engine the first time they need one and stays there:
their lab container and their images live on it, so moving them would lose their
work. Placements are kept in SQLite, keyed by the engine's URL as configured.

- A new student goes to the least loaded engine that answers: fewest running
  containers, then fewest students placed there, then the order of the list.
- A student without a placement who already has containers or images on an
  engine (from before placements existed, or a database restored from an older
  backup) is placed back on that engine.
- When an engine stops answering, only its students are refused, with a message
  that names it; everyone else carries on. A student of an engine known to be
  down makes the bot probe it (one probe at a time per engine, a few seconds at
  most), so the engine is used again as soon as it answers, with no restart.

Each engine has its own job gate (``LAYERLAB_SANDBOX_CONCURRENCY`` jobs at once)
and its own thread pool, so a slow or dead engine never holds up the others.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.errors import EngineUnavailable, UserError
from bot.sandbox.models import EngineState, Owner
from bot.sandbox.sandbox import Sandbox
from bot.services.jobs import JobGate
from bot.services.recording import CONTAINER_COMMANDS, RunRecord
from bot.store import PlacementStore, RunStore

log = logging.getLogger(__name__)

#: Seconds a probe's answer is reused when placing new students (a class that
#: starts at once must not probe every engine once per student).
FRESH_PROBE = 2.0
#: The window of /admin status's run times.
STATUS_WINDOW = timedelta(hours=1)
#: Seconds a stopping bot waits for the commands it ended to report back.
ENDED_WAIT = 10.0


@dataclass(eq=False)
class Engine:
    """One lab engine: its sandbox and its queue."""

    sandbox: Sandbox
    gate: JobGate
    state: EngineState | None = None
    probed_at: float = 0.0  # monotonic

    @classmethod
    def on(cls, sandbox: Sandbox, capacity: int) -> Engine:
        return cls(sandbox=sandbox, gate=JobGate(capacity))

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def name(self) -> str:
        return self.sandbox.name

    @property
    def up(self) -> bool:
        return self.sandbox.up


@dataclass(frozen=True, slots=True)
class EngineReport:
    """One engine's row in /admin status."""

    name: str
    up: bool
    version: str
    containers_running: int
    students: int
    jobs_running: int
    jobs_waiting: int
    runs: int  # runs in the last hour
    p50_ms: int | None
    p95_ms: int | None
    free_bytes: int | None = None  # free on the engine's data root (None: not measured)
    floor_bytes: int = 0
    free_inodes: int | None = None  # free inodes there (None: not measured, or no fixed number)
    floor_inodes: int = 0
    warm_idle: int = 0  # warm containers ready now
    warm_wanted: int = 0  # LAYERLAB_WARM_POOL per base image (0: the pool is off)

    @property
    def below_floor(self) -> bool:
        """Whether the engine refuses commands for want of disk space or inodes."""
        short_of_bytes = self.free_bytes is not None and self.free_bytes < self.floor_bytes
        short_of_inodes = self.free_inodes is not None and self.free_inodes < self.floor_inodes
        return short_of_bytes or short_of_inodes


@dataclass(frozen=True, slots=True)
class StopReport:
    """What a stop (SIGTERM) did."""

    refused: int  # jobs that were waiting and never started
    ended: int  # commands still running after the grace, ended
    removed: int  # one-shot containers of this process removed at the end
    left: int  # jobs still running when the bot gave up waiting (0 unless an engine hangs)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An engine as placement sees it, in the configured order."""

    url: str
    up: bool
    containers_running: int
    students: int
    holds_theirs: bool = False  # the student already has containers or images there


def choose_engine(candidates: Sequence[Candidate]) -> str:
    """Where a new student goes: back to an answering engine that holds their
    things, else the least loaded answering one (fewest running containers, then
    fewest students, then the configured order). None answering: ``error.no_engine``."""
    up = [c for c in candidates if c.up]
    if not up:
        raise EngineUnavailable("error.no_engine")
    for candidate in up:
        if candidate.holds_theirs:
            return candidate.url
    order = {c.url: i for i, c in enumerate(candidates)}
    return min(up, key=lambda c: (c.containers_running, c.students, order[c.url])).url


def percentile(sorted_values: Sequence[int], share: float) -> int | None:
    """Nearest-rank percentile of values sorted ascending (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(len(sorted_values) * share))
    return sorted_values[rank - 1]


class Fleet:
    def __init__(self, engines: Sequence[Engine], placements: PlacementStore, runs: RunStore) -> None:
        if not engines:
            raise ValueError("at least one engine")
        self.engines = list(engines)
        self._by_url = {e.url: e for e in self.engines}
        self.placements = placements
        self.runs = runs
        self._placed: dict[tuple[int, int], str] = {}
        self._placing = asyncio.Lock()
        self._probes: dict[str, asyncio.Task[EngineState]] = {}

    async def load(self) -> None:
        self._placed = await self.placements.all()
        unknown = {url for url in self._placed.values() if url not in self._by_url}
        for url in sorted(unknown):
            log.warning(
                "Students are placed on %s, which is no longer configured; they will be placed again", url
            )

    def start_warm(self) -> None:
        """Start keeping each engine's warm containers (``LAYERLAB_WARM_POOL``)."""
        for engine in self.engines:
            engine.sandbox.warm.start()

    async def close(self) -> None:
        for engine in self.engines:
            await engine.sandbox.close()

    async def stop(self, grace: float) -> StopReport:
        """Stop taking work (SIGTERM): waiting jobs are refused at once (their
        students are told the bot is restarting), running ones get ``grace``
        seconds to finish and are then ended, and the one-shot and warm containers
        this process made are removed. Lab containers and their files stay."""
        refused = sum(engine.gate.close() for engine in self.engines)
        await asyncio.gather(*(engine.gate.idle(grace) for engine in self.engines))
        ended = sum(
            await asyncio.gather(*(self._quietly(e, e.sandbox.runner.interrupt) for e in self.engines))
        )
        await asyncio.gather(*(engine.gate.idle(ENDED_WAIT) for engine in self.engines))
        removed = sum(
            await asyncio.gather(*(self._quietly(e, e.sandbox.runner.remove_own) for e in self.engines))
        )
        removed += sum(await asyncio.gather(*(self._quietly(e, e.sandbox.warm.close) for e in self.engines)))
        left = sum(engine.gate.running for engine in self.engines)
        return StopReport(refused=refused, ended=ended, removed=removed, left=left)

    @staticmethod
    async def _quietly(engine: Engine, step: Callable[[], Awaitable[int]]) -> int:
        try:
            return await step()
        except Exception:  # an engine that is down: the next start-up's janitor removes what is left
            log.warning("Could not finish stopping on engine %s", engine.name, exc_info=True)
            return 0

    # -- whose engine -----------------------------------------------------------------

    def placed(self, owner: Owner) -> Engine | None:
        """The engine holding this student's things, if they were placed (no I/O)."""
        url = self._placed.get((owner.guild_id, owner.user_id))
        return self._by_url.get(url) if url is not None else None

    async def of(self, owner: Owner, record: RunRecord | None = None) -> Engine:
        """This student's engine, placing them if new; refuses while it is down.

        ``record`` learns the engine before the check, so a refused run counts
        against the engine that refused it.
        """
        engine = self.placed(owner) or await self._place(owner)
        if record is not None:
            record.engine = engine.url
        if not engine.up and not (await self.probe(engine)).up:
            raise EngineUnavailable(engine=engine.name)
        return engine

    def engine_name(self, owner: Owner) -> str:
        """The name of this student's engine, "-" when they were never placed (no I/O)."""
        engine = self.placed(owner)
        return engine.name if engine is not None else "-"

    def holding(self, owner: Owner) -> list[Engine]:
        """The engines that may hold this student's things: theirs, or every one."""
        engine = self.placed(owner)
        return [engine] if engine is not None else list(self.engines)

    async def _place(self, owner: Owner) -> Engine:
        # Probe outside the lock: students arriving together share the probes
        # (and a dead engine's few seconds) instead of waiting for each other's.
        states = None
        if len(self.engines) > 1:
            states = await asyncio.gather(*(self._fresh_state(e) for e in self.engines))
        async with self._placing:
            engine = self.placed(owner)
            if engine is not None:  # placed while this one waited for the lock
                return engine
            chosen = self.engines[0] if states is None else await self._choose(owner, states)
            await self.place_on(owner, chosen)
            return chosen

    async def place_on(self, owner: Owner, engine: Engine) -> None:
        """Record that this student's things live on ``engine``."""
        await self.placements.place(owner.guild_id, owner.user_id, engine.url)
        self._placed[(owner.guild_id, owner.user_id)] = engine.url
        log.info("Placed guild=%s user=%s on engine %s", owner.guild_id, owner.user_id, engine.name)

    async def _choose(self, owner: Owner, states: Sequence[EngineState]) -> Engine:
        holding: set[str] = set()
        for engine, state in zip(self.engines, states, strict=True):
            if not state.up:
                continue
            try:
                if await engine.sandbox.cleanup.owns_anything(owner):
                    holding.add(engine.url)
                    break  # the first one in the list wins: no need to ask the others
            except EngineUnavailable:
                continue
        students = self.students()
        candidates = [
            Candidate(e.url, s.up, s.containers_running, students[e.url], e.url in holding)
            for e, s in zip(self.engines, states, strict=True)
        ]
        return self._by_url[choose_engine(candidates)]

    def students(self) -> Counter[str]:
        """How many students are placed on each engine, by URL."""
        return Counter(self._placed.values())

    def forget(self, owner: Owner) -> None:
        """Drop the in-memory placement (the row goes with the student's data)."""
        self._placed.pop((owner.guild_id, owner.user_id), None)

    # -- health -------------------------------------------------------------------------

    async def probe(self, engine: Engine) -> EngineState:
        """Probe an engine now; callers that arrive during a probe share it."""
        task = self._probes.get(engine.url)
        if task is None:
            task = asyncio.create_task(self._probe(engine))
            self._probes[engine.url] = task
            task.add_done_callback(lambda _: self._probes.pop(engine.url, None))
        return await asyncio.shield(task)

    async def _probe(self, engine: Engine) -> EngineState:
        state = await engine.sandbox.client.probe()
        engine.state, engine.probed_at = state, time.monotonic()
        return state

    async def _fresh_state(self, engine: Engine) -> EngineState:
        if engine.state is not None and time.monotonic() - engine.probed_at < FRESH_PROBE:
            return engine.state
        return await self.probe(engine)

    async def answering(self, engines: Sequence[Engine] | None = None) -> list[Engine]:
        """Those of ``engines`` (default all) that answer a probe now, probed
        together: housekeeping and teachers' lists skip the others rather than
        wait for a dead host's API timeout."""
        engines = list(self.engines if engines is None else engines)
        states = await asyncio.gather(*(self.probe(e) for e in engines))
        return [e for e, s in zip(engines, states, strict=True) if s.up]

    async def report(self) -> list[EngineReport]:
        """Every engine, probed now, with its queue and last hour's run times."""
        states = await asyncio.gather(*(self.probe(e) for e in self.engines))
        since = datetime.now(UTC) - STATUS_WINDOW
        students = self.students()
        found = []
        for engine, state in zip(self.engines, states, strict=True):
            durations = await self.runs.durations(engine.url, since, CONTAINER_COMMANDS)
            free = inodes = None
            if state.up:
                try:
                    free = await engine.sandbox.disk.free()
                    inodes = engine.sandbox.disk.free_inodes
                except UserError:  # went away since the probe
                    free = None
            found.append(
                EngineReport(
                    name=engine.name,
                    up=state.up,
                    version=state.version,
                    containers_running=state.containers_running,
                    students=students[engine.url],
                    jobs_running=engine.gate.running,
                    jobs_waiting=engine.gate.waiting,
                    runs=len(durations),
                    p50_ms=percentile(durations, 0.50),
                    p95_ms=percentile(durations, 0.95),
                    free_bytes=free,
                    floor_bytes=engine.sandbox.disk.floor_bytes,
                    free_inodes=inodes,
                    floor_inodes=engine.sandbox.disk.floor_inodes,
                    warm_idle=sum(engine.sandbox.warm.idle().values()),
                    warm_wanted=engine.sandbox.warm.wanted(),
                )
            )
        return found
