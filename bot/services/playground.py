"""Each student's OverlayFS playground (the ``/overlay`` commands): run a command in
it, look at its overlay mounts, start afresh. The container itself is the
sandbox's (``bot.sandbox.playground``); here are the queue, the record of every
run and the idle rule.

Idle rule: a playground unused for ``idle_after`` (``LAYERLAB_LAB_STOP_MINUTES``,
the lab container's stop time) is removed, not stopped: its files live in memory,
in namespaces that end with its first process, so a stopped playground would keep
nothing anyway. The clock is kept in memory; after a restart of the bot every
playground it finds starts a fresh clock (what it may lose is minutes of idle
time, never a file).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.errors import EngineUnavailable, UserError
from bot.sandbox.models import OverlayMountView, Owner, PlaygroundRun
from bot.sandbox.overlay_listing import resolve
from bot.sandbox.playground import WORK
from bot.services.demos import check_command
from bot.services.fleet import Fleet
from bot.services.jobs import OnWait
from bot.services.recording import Recorder

log = logging.getLogger(__name__)

__all__ = ["Playground", "PlaygroundRun"]


class Playground:
    def __init__(self, fleet: Fleet, recorder: Recorder, idle_after: timedelta) -> None:
        self.fleet = fleet
        self.recorder = recorder
        self.idle_after = idle_after
        self._used: dict[tuple[int, int], datetime] = {}

    async def run(self, owner: Owner, command: str, on_wait: OnWait | None = None) -> PlaygroundRun:
        async with self.recorder.record(owner, "overlay run", None, command) as record:
            shell = check_command(command)
            engine = await self.fleet.of(owner, record)
            async with engine.gate.slot(owner.key, on_wait):
                run = await engine.sandbox.playgrounds.run(owner, shell)
                record.image = run.result.image
            self._used[(owner.guild_id, owner.user_id)] = utcnow()
            record.finished(run.result)
            return run

    async def show(self, owner: Owner, path: str | None = None) -> tuple[list[OverlayMountView], str]:
        """The playground's overlay mounts, and the part of ``path`` below their merged
        folder: with ``path`` (from the work area, or absolute), only the mount whose
        merged folder is it or holds it."""
        engine = await self.fleet.of(owner)
        async with engine.gate.slot(owner.key):
            views = await engine.sandbox.playgrounds.overlays(owner)
        self._used[(owner.guild_id, owner.user_id)] = utcnow()
        if not path:
            return views, ""
        wanted = resolve(WORK, path.strip())
        views = [v for v in views if wanted == v.merged.path or wanted.startswith(v.merged.path + "/")]
        if not views:
            raise UserError("overlay.no_mount_at", path=path)
        views = views[-1:]  # the innermost mount (the last one made) shows what is there
        return views, wanted.removeprefix(views[0].merged.path).strip("/")

    async def reset(self, owner: Owner) -> bool:
        """A fresh playground at the next command; True when there was one to remove."""
        engine = await self.fleet.of(owner)
        async with engine.gate.slot(owner.key):
            removed = await engine.sandbox.playgrounds.remove(owner)
        self._used.pop((owner.guild_id, owner.user_id), None)
        return removed

    async def forget(self, owner: Owner) -> int:
        """Remove this student's playground wherever it is (privacy); how many went."""
        removed = 0
        for engine in self.fleet.holding(owner):
            try:
                removed += int(await engine.sandbox.playgrounds.remove(owner))
            except EngineUnavailable:
                log.warning("Engine %s unreachable: a playground there is left to the idle rule", engine.name)
        self._used.pop((owner.guild_id, owner.user_id), None)
        return removed

    async def tick(self, now: datetime | None = None) -> int:
        """Remove playgrounds idle for longer than ``idle_after``, on every engine that
        answers; how many went."""
        now = now or utcnow()
        removed = 0
        for engine in await self.fleet.answering():
            try:
                found = await engine.sandbox.playgrounds.all_playgrounds()
            except EngineUnavailable:
                continue
            for owner, row in found:
                key = (owner.guild_id, owner.user_id)
                last = self._used.setdefault(key, now)  # first seen now: a fresh clock
                if engine.gate.busy(owner.key) or now - last < self.idle_after:
                    continue
                try:
                    if await engine.sandbox.playgrounds.remove_by_id(row.id):
                        removed += 1
                except EngineUnavailable:
                    break
                self._used.pop(key, None)
        if removed:
            log.info("Idle playgrounds removed: %d", removed)
        return removed
