"""Each student's lab container: created on first use, kept between commands,
stopped and then removed when idle. The idle clock lives in SQLite and the
container carries its owner in labels; the two are reconciled at start-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bot.clock import utcnow
from bot.errors import EngineUnavailable, UserError
from bot.sandbox.models import Change, CommitResult, ContainerRow, HostView, Owner, RunResult, StorageView
from bot.services.demos import check_command
from bot.services.fleet import Engine, Fleet
from bot.services.jobs import OnWait
from bot.services.recording import Recorder
from bot.store import Lab, LabStore

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LabStatus:
    """A lab container and what the idle policy will do to it, and when."""

    container: ContainerRow
    last_used: datetime
    stops_at: datetime | None  # None: already stopped
    removed_at: datetime


@dataclass(frozen=True, slots=True)
class LabPolicy:
    """How long an idle lab container keeps running, and how long it is kept at all."""

    stop_after: timedelta
    remove_after: timedelta

    def status(self, row: ContainerRow, last_used: datetime | None) -> LabStatus:
        """``last_used`` from SQLite; a container without a row counts from its creation."""
        since = last_used or row.created
        running = row.state in ("running", "restarting", "paused")
        return LabStatus(
            container=row,
            last_used=since,
            stops_at=since + self.stop_after if running else None,
            removed_at=since + self.remove_after,
        )

    @staticmethod
    def due(status: LabStatus, now: datetime) -> str | None:
        """What is due now: "remove", "stop", or nothing."""
        if now >= status.removed_at:
            return "remove"
        if status.stops_at is not None and now >= status.stops_at:
            return "stop"
        return None


def reap_targets(
    containers: Mapping[Owner, T], unreachable: Sequence[str], user_id: int | None, *, require_all: bool
) -> list[tuple[Owner, T]]:
    """The lab containers a reap removes: everyone's found, or one student's. With
    ``require_all`` (their data is forgotten next) none while an engine that may
    hold theirs did not answer: nothing may be left behind unseen."""
    if require_all and unreachable:
        raise EngineUnavailable(engine=", ".join(unreachable))
    return [
        (owner, found) for owner, found in containers.items() if user_id is None or owner.user_id == user_id
    ]


@dataclass(frozen=True, slots=True)
class LabRun:
    result: RunResult
    created: ContainerRow | None  # set when this command created the lab container
    started: bool  # it was stopped, and was started for this command


@dataclass(frozen=True, slots=True)
class ClassLab:
    owner: Owner
    display_name: str
    status: LabStatus
    engine: str  # the engine's name


@dataclass(frozen=True, slots=True)
class ClassLabs:
    labs: list[ClassLab]
    unreachable: tuple[str, ...]  # engines that did not answer: their labs are not listed


@dataclass(frozen=True, slots=True)
class Reaped:
    removed: int
    unreachable: tuple[str, ...]  # engines that did not answer: their labs are left


class Labs:
    def __init__(self, fleet: Fleet, store: LabStore, recorder: Recorder, policy: LabPolicy) -> None:
        self.fleet = fleet
        self.store = store
        self.recorder = recorder
        self.policy = policy

    # -- what students do ----------------------------------------------------------

    async def run(
        self,
        owner: Owner,
        display_name: str,
        command: str,
        image: str | None,
        on_wait: OnWait | None = None,
    ) -> LabRun:
        async with self.recorder.record(owner, "lab run", image, command) as record:
            shell = check_command(command)
            engine = await self.fleet.of(owner, record)
            async with engine.gate.slot(owner.key, on_wait):
                lab, created = await self._open(engine, owner, display_name, image)
                record.image = lab.image
                result = await engine.sandbox.labs.run(owner, shell)
            await self._touch(owner)
            record.finished(result)
            return LabRun(result=result, created=created, started=created is None and lab.state != "running")

    async def ensure(
        self, owner: Owner, display_name: str, *, seed: str | None = None, on_wait: OnWait | None = None
    ) -> bool:
        """Open this student's lab container if they have none (an exercise's Start,
        a lab demo), and run ``seed`` in it when it is made now; True then. A lab
        that is there is left alone: no queue, no run recorded, its idle clock kept."""
        if await (await self.fleet.of(owner)).sandbox.labs.find(owner) is not None:
            return False
        async with self.recorder.record(owner, "lab open", None, seed) as record:
            engine = await self.fleet.of(owner, record)
            async with engine.gate.slot(owner.key, on_wait):
                lab, created = await self._open(engine, owner, display_name, None)
                record.image = lab.image
                if created is not None and seed is not None:
                    record.finished(await engine.sandbox.labs.run(owner, check_command(seed)))
            await self._touch(owner)
            return created is not None

    async def _open(
        self, engine: Engine, owner: Owner, display_name: str, image: str | None
    ) -> tuple[ContainerRow, ContainerRow | None]:
        """The student's lab container, made from ``image`` (default: the default
        image) when they have none: (the container, the same when made now)."""
        lab = await engine.sandbox.labs.find(owner)
        if lab is not None:
            if image:
                raise UserError("lab.image_on_existing", image=image)
            return lab, None
        ref = await engine.sandbox.policy.resolve(owner, image)
        lab = await engine.sandbox.labs.create(owner, ref)
        now = utcnow()
        await self.store.save(Lab(owner.guild_id, owner.user_id, lab.id, ref.shown, display_name, now, now))
        return lab, lab

    @asynccontextmanager
    async def _on_lab(
        self, owner: Owner, command: str, input: str | None = None, *, queued: bool = True
    ) -> AsyncIterator[Engine]:
        """One lab command: recorded, on the student's engine, in the queue when
        it changes the container (``queued``); the idle clock restarts after it."""
        async with self.recorder.record(owner, command, input) as record:
            engine = await self.fleet.of(owner, record)
            async with AsyncExitStack() as stack:
                if queued:
                    await stack.enter_async_context(engine.gate.slot(owner.key))
                yield engine
            await self._touch(owner)

    async def diff(self, owner: Owner) -> tuple[ContainerRow, tuple[Change, ...]]:
        async with self._on_lab(owner, "lab diff", queued=False) as engine:
            return await engine.sandbox.labs.diff(owner)

    async def stop(self, owner: Owner) -> ContainerRow:
        async with self._on_lab(owner, "lab stop") as engine:
            return await engine.sandbox.labs.stop(owner)

    async def start(self, owner: Owner) -> ContainerRow:
        async with self._on_lab(owner, "lab start") as engine:
            return await engine.sandbox.labs.start(owner)

    async def remove(self, owner: Owner) -> ContainerRow:
        async with self.recorder.record(owner, "lab rm") as record:
            engine = await self.fleet.of(owner, record)
            async with engine.gate.slot(owner.key):
                row = await engine.sandbox.labs.remove(owner)
            await self.store.delete(owner.guild_id, owner.user_id)
            return row

    async def commit(self, owner: Owner, name: str) -> CommitResult:
        async with self._on_lab(owner, "lab commit", name) as engine:
            return await engine.sandbox.labs.commit(owner, name)

    async def inspect(self, owner: Owner) -> tuple[ContainerRow, StorageView]:
        async with self._on_lab(owner, "lab inspect", queued=False) as engine:
            return await engine.sandbox.labs.inspect(owner)

    async def host(self, owner: Owner) -> tuple[ContainerRow, HostView]:
        async with self._on_lab(owner, "lab host") as engine:
            return await engine.sandbox.labs.host_view(owner)

    async def status(self, owner: Owner) -> LabStatus | None:
        async with self.recorder.record(owner, "lab ps") as record:
            engine = await self.fleet.of(owner, record)
            row = await engine.sandbox.labs.find(owner)
            if row is None:
                return None
            lab = await self.store.get(owner.guild_id, owner.user_id)
            return self._status(row, lab)

    # -- the idle policy -----------------------------------------------------------

    def _status(self, row: ContainerRow, lab: Lab | None) -> LabStatus:
        return self.policy.status(row, lab.last_used_at if lab else None)

    async def _touch(self, owner: Owner) -> None:
        await self.store.touch(owner.guild_id, owner.user_id, utcnow())

    async def _labs_on(
        self, engines: list[Engine], guild_id: int | None = None
    ) -> tuple[dict[Owner, tuple[Engine, ContainerRow]], tuple[str, ...]]:
        """Every lab container on these engines, and the engines that did not answer."""
        found: dict[Owner, tuple[Engine, ContainerRow]] = {}
        answering = await self.fleet.answering(engines)
        unreachable = [e.name for e in engines if e not in answering]
        for engine in answering:
            try:
                for owner, row in await engine.sandbox.labs.all_labs(guild_id):
                    found[owner] = (engine, row)
            except EngineUnavailable:
                unreachable.append(engine.name)
        return found, tuple(unreachable)

    async def reconcile(self) -> tuple[int, int]:
        """Make SQLite and the engines agree after a restart: rows for containers
        that have none (their idle clock starts now), no rows for gone containers.
        A row is dropped only when every engine that could hold it answered."""
        containers, unreachable = await self._labs_on(self.fleet.engines)
        rows = {Owner(lab.guild_id, lab.user_id): lab for lab in await self.store.all()}
        added = dropped = 0
        now = utcnow()
        for owner, (engine, row) in containers.items():
            placed = self.fleet.placed(owner)
            if placed is None:
                await self.fleet.place_on(owner, engine)
            elif placed is not engine:
                log.warning(
                    "A lab container of guild=%s user=%s is on %s, not on their engine %s; left alone",
                    owner.guild_id,
                    owner.user_id,
                    engine.name,
                    placed.name,
                )
                continue
            lab = rows.get(owner)
            if lab is None or lab.container_id != row.id:
                name = lab.display_name if lab else ""
                await self.store.save(
                    Lab(owner.guild_id, owner.user_id, row.id, row.image, name, row.created, now)
                )
                added += 1
        for owner in rows.keys() - containers.keys():
            if any(e.name in unreachable for e in self.fleet.holding(owner)):
                continue
            await self.store.delete(owner.guild_id, owner.user_id)
            dropped += 1
        if added or dropped:
            log.info("Reconciled lab containers: %d row(s) added, %d dropped", added, dropped)
        return added, dropped

    async def tick(self, now: datetime | None = None) -> tuple[int, int]:
        """Stop idle lab containers, remove long-idle ones, on every engine that
        answers. Returns (stopped, removed)."""
        now = now or utcnow()
        containers, _ = await self._labs_on(self.fleet.engines)
        stopped = removed = 0
        for lab in await self.store.all():
            owner = Owner(lab.guild_id, lab.user_id)
            engine, row = containers.get(owner, (None, None))
            if engine is None or row is None or row.id != lab.container_id:
                continue
            status = self._status(row, lab)
            if engine.gate.busy(owner.key):
                continue  # a command is running in it right now
            try:
                due = self.policy.due(status, now)
                if due == "remove":
                    await engine.sandbox.labs.remove_by_id(row.id)
                    await self.store.delete(lab.guild_id, lab.user_id)
                    removed += 1
                elif due == "stop":
                    await engine.sandbox.labs.stop_by_id(row.id)
                    stopped += 1
            except EngineUnavailable:
                log.warning("Engine %s went away during the idle check", engine.name)
        if stopped or removed:
            log.info("Idle lab containers: %d stopped, %d removed", stopped, removed)
        return stopped, removed

    # -- what teachers do ----------------------------------------------------------

    async def in_guild(self, guild_id: int) -> ClassLabs:
        names = {lab.user_id: lab for lab in await self.store.all(guild_id)}
        containers, unreachable = await self._labs_on(self.fleet.engines, guild_id)
        found = []
        for owner, (engine, row) in containers.items():
            lab = names.get(owner.user_id)
            found.append(
                ClassLab(owner, lab.display_name if lab else "", self._status(row, lab), engine.name)
            )
        found.sort(key=lambda c: c.status.container.created)
        return ClassLabs(found, unreachable)

    async def reap(self, guild_id: int, user_id: int | None = None, *, require_all: bool = False) -> Reaped:
        """Remove the lab containers of this course server (of one student if given).

        Engines that do not answer are skipped and named; with ``require_all``
        (a student's data is forgotten next) nothing is removed unless every
        engine that may hold theirs answers."""
        engines = self.fleet.holding(Owner(guild_id, user_id)) if user_id is not None else self.fleet.engines
        containers, unreachable = await self._labs_on(engines, guild_id)
        removed = 0
        for owner, (engine, row) in reap_targets(containers, unreachable, user_id, require_all=require_all):
            if await engine.sandbox.labs.remove_by_id(row.id):
                removed += 1
            await self.store.delete(owner.guild_id, owner.user_id)
        return Reaped(removed, unreachable)
