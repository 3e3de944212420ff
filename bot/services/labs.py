"""Each student's lab container: created on first use, kept between commands,
stopped and then removed when idle. The idle clock lives in SQLite and the
container carries its owner in labels; the two are reconciled at start-up."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.errors import UserError
from bot.sandbox import Sandbox
from bot.sandbox.labs import LabSandbox
from bot.sandbox.models import Change, CommitResult, ContainerRow, HostView, Owner, RunResult, StorageView
from bot.services.demos import check_command
from bot.services.jobs import JobGate, OnWait
from bot.services.recording import Recorder
from bot.store import Lab, Store

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LabPolicy:
    stop_after: timedelta
    remove_after: timedelta


@dataclass(frozen=True, slots=True)
class LabStatus:
    """A lab container and what the idle policy will do to it, and when."""

    container: ContainerRow
    last_used: datetime
    stops_at: datetime | None  # None: already stopped
    removed_at: datetime


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


class Labs:
    def __init__(
        self,
        sandbox: Sandbox,
        store: Store,
        recorder: Recorder,
        gate: JobGate,
        policy: LabPolicy,
    ) -> None:
        self.sandbox = sandbox
        self.engine = LabSandbox(sandbox)
        self.store = store
        self.recorder = recorder
        self.gate = gate
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
            async with self.gate.slot(owner.key, on_wait):
                lab = await self.engine.find(owner)
                created = None
                if lab is not None and image:
                    raise UserError("lab.image_on_existing", image=image)
                if lab is None:
                    ref = await self.sandbox.resolve(owner, image)
                    lab = created = await self.engine.create(owner, ref)
                    now = _now()
                    await self.store.save_lab(
                        Lab(owner.guild_id, owner.user_id, lab.id, ref.shown, display_name, now, now)
                    )
                record.image = lab.image
                result = await self.engine.run(owner, shell)
            await self._touch(owner)
            record.finished(result)
            return LabRun(result=result, created=created, started=created is None and lab.state != "running")

    async def diff(self, owner: Owner) -> tuple[ContainerRow, tuple[Change, ...]]:
        async with self.recorder.record(owner, "lab diff"):
            found = await self.engine.diff(owner)
            await self._touch(owner)
            return found

    async def stop(self, owner: Owner) -> ContainerRow:
        async with self.recorder.record(owner, "lab stop"), self.gate.slot(owner.key):
            row = await self.engine.stop(owner)
            await self._touch(owner)
            return row

    async def start(self, owner: Owner) -> ContainerRow:
        async with self.recorder.record(owner, "lab start"), self.gate.slot(owner.key):
            row = await self.engine.start(owner)
            await self._touch(owner)
            return row

    async def remove(self, owner: Owner) -> ContainerRow:
        async with self.recorder.record(owner, "lab rm"), self.gate.slot(owner.key):
            row = await self.engine.remove(owner)
            await self.store.delete_lab(owner.guild_id, owner.user_id)
            return row

    async def commit(self, owner: Owner, name: str) -> CommitResult:
        async with self.recorder.record(owner, "lab commit", name), self.gate.slot(owner.key):
            result = await self.engine.commit(owner, name)
            await self._touch(owner)
            return result

    async def inspect(self, owner: Owner) -> tuple[ContainerRow, StorageView]:
        async with self.recorder.record(owner, "lab inspect"):
            found = await self.engine.inspect(owner)
            await self._touch(owner)
            return found

    async def host(self, owner: Owner) -> tuple[ContainerRow, HostView]:
        async with self.recorder.record(owner, "lab host"), self.gate.slot(owner.key):
            found = await self.engine.host(owner)
            await self._touch(owner)
            return found

    async def status(self, owner: Owner) -> LabStatus | None:
        async with self.recorder.record(owner, "lab ps"):
            row = await self.engine.find(owner)
            if row is None:
                return None
            lab = await self.store.lab(owner.guild_id, owner.user_id)
            return self._status(row, lab)

    # -- the idle policy -----------------------------------------------------------

    def _status(self, row: ContainerRow, lab: Lab | None) -> LabStatus:
        last_used = lab.last_used_at if lab else row.created
        running = row.state in ("running", "restarting", "paused")
        return LabStatus(
            container=row,
            last_used=last_used,
            stops_at=last_used + self.policy.stop_after if running else None,
            removed_at=last_used + self.policy.remove_after,
        )

    async def _touch(self, owner: Owner) -> None:
        await self.store.touch_lab(owner.guild_id, owner.user_id, _now())

    async def reconcile(self) -> tuple[int, int]:
        """Make SQLite and the engine agree after a restart: rows for containers
        that have none (their idle clock starts now), no rows for gone containers."""
        containers = {owner: row for owner, row in await self.engine.all_labs()}
        rows = {Owner(lab.guild_id, lab.user_id): lab for lab in await self.store.labs()}
        added = dropped = 0
        now = _now()
        for owner, row in containers.items():
            lab = rows.get(owner)
            if lab is None or lab.container_id != row.id:
                name = lab.display_name if lab else ""
                await self.store.save_lab(
                    Lab(owner.guild_id, owner.user_id, row.id, row.image, name, row.created, now)
                )
                added += 1
        for owner in rows.keys() - containers.keys():
            await self.store.delete_lab(owner.guild_id, owner.user_id)
            dropped += 1
        if added or dropped:
            log.info("Reconciled lab containers: %d row(s) added, %d dropped", added, dropped)
        return added, dropped

    async def tick(self, now: datetime | None = None) -> tuple[int, int]:
        """Stop idle lab containers, remove long-idle ones. Returns (stopped, removed)."""
        now = now or _now()
        containers = {row.id: row for _, row in await self.engine.all_labs()}
        stopped = removed = 0
        for lab in await self.store.labs():
            row = containers.get(lab.container_id)
            if row is None:
                continue
            status = self._status(row, lab)
            if now >= status.removed_at:
                if self.gate.busy(Owner(lab.guild_id, lab.user_id).key):
                    continue  # a command is running in it right now
                await self.engine.remove_by_id(row.id)
                await self.store.delete_lab(lab.guild_id, lab.user_id)
                removed += 1
            elif status.stops_at is not None and now >= status.stops_at:
                if self.gate.busy(Owner(lab.guild_id, lab.user_id).key):
                    continue
                await self.engine.stop_by_id(row.id)
                stopped += 1
        if stopped or removed:
            log.info("Idle lab containers: %d stopped, %d removed", stopped, removed)
        return stopped, removed

    # -- what teachers do ----------------------------------------------------------

    async def in_guild(self, guild_id: int) -> list[ClassLab]:
        names = {lab.user_id: lab for lab in await self.store.labs(guild_id)}
        found = []
        for owner, row in await self.engine.all_labs(guild_id):
            lab = names.get(owner.user_id)
            found.append(ClassLab(owner, lab.display_name if lab else "", self._status(row, lab)))
        found.sort(key=lambda c: c.status.container.created)
        return found

    async def reap(self, guild_id: int, user_id: int | None = None) -> int:
        """Remove the lab containers of this course server (of one student if given)."""
        removed = 0
        for owner, row in await self.engine.all_labs(guild_id):
            if user_id is not None and owner.user_id != user_id:
                continue
            if await self.engine.remove_by_id(row.id):
                removed += 1
            await self.store.delete_lab(owner.guild_id, owner.user_id)
        return removed
