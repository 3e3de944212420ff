"""The demos behind /diff, /history, /commit, /images, /rmi and /info.

Each call resolves what the student typed, runs it on the sandbox (one job per
student, a bounded number on the host), and records the run in the store,
refusals and failures included.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.errors import UserError
from bot.sandbox import Sandbox
from bot.sandbox.models import (
    CommitResult,
    EngineInfo,
    HistoryEntry,
    ImageRef,
    ImagesOverview,
    Owner,
    RemoveResult,
    RunResult,
)
from bot.services.jobs import JobGate, OnWait
from bot.store import Store

log = logging.getLogger(__name__)

#: The seed's first command: what /diff runs when no command is given.
DEFAULT_DIFF_COMMAND = "echo Hallo > /tmp/testfile"
#: The longest shell command a student may send (Discord allows 6000 for an option).
MAX_COMMAND_LENGTH = 2000


@dataclass
class _Record:
    image: str | None
    input: str | None
    exit_code: int | None = None
    outcome: str = "ok"


def run_outcome(result: RunResult) -> str:
    if result.timed_out:
        return "timeout"
    if result.oom_killed:
        return "oom"
    if result.output_truncated:
        return "output_limit"
    if result.layer_too_big:
        return "layer_limit"
    return "ok"


def check_command(command: str) -> str:
    command = command.strip()
    if not command:
        raise UserError("error.empty_command")
    if len(command) > MAX_COMMAND_LENGTH:
        raise UserError("error.command_too_long", limit=MAX_COMMAND_LENGTH)
    if "\x00" in command:
        raise UserError("error.command_nul")
    return command


class Demos:
    def __init__(self, sandbox: Sandbox, store: Store, gate: JobGate) -> None:
        self.sandbox = sandbox
        self.store = store
        self.gate = gate

    @asynccontextmanager
    async def _recorded(self, owner: Owner, command: str, record: _Record) -> AsyncIterator[_Record]:
        started = time.monotonic()
        try:
            yield record
        except UserError as exc:
            record.outcome = f"refused:{exc.key}"
            raise
        except BaseException:
            record.outcome = "error"
            raise
        finally:
            try:
                await self.store.record_run(
                    guild_id=owner.guild_id,
                    user_id=owner.user_id,
                    command=command,
                    image=record.image,
                    input=record.input,
                    exit_code=record.exit_code,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    outcome=record.outcome,
                )
            except Exception:
                log.exception("Could not record a %s run", command)

    async def diff(
        self, owner: Owner, command: str | None, image: str | None, on_wait: OnWait | None = None
    ) -> RunResult:
        shell = command if command is not None else DEFAULT_DIFF_COMMAND
        async with self._recorded(owner, "diff", _Record(image, shell)) as record:
            shell = check_command(shell)
            ref = await self.sandbox.resolve(owner, image)
            record.image = ref.shown
            async with self.gate.slot(owner.key, on_wait):
                result = await self.sandbox.run(owner, ref, shell)
            record.exit_code = result.exit_code
            record.outcome = run_outcome(result)
            return result

    async def history(self, owner: Owner, image: str) -> tuple[ImageRef, tuple[HistoryEntry, ...]]:
        async with self._recorded(owner, "history", _Record(image, None)) as record:
            ref = await self.sandbox.resolve(owner, image)
            record.image = ref.shown
            return ref, await self.sandbox.history(ref)

    async def commit(
        self,
        owner: Owner,
        name: str,
        command: str,
        image: str | None,
        on_wait: OnWait | None = None,
    ) -> tuple[ImageRef, CommitResult]:
        async with self._recorded(owner, "commit", _Record(image, command)) as record:
            shell = check_command(command)
            base = await self.sandbox.resolve(owner, image)
            record.image = base.shown
            async with self.gate.slot(owner.key, on_wait):
                result = await self.sandbox.commit(owner, name, base, shell)
            record.exit_code = result.run.exit_code
            record.outcome = run_outcome(result.run)
            return base, result

    async def images(self, owner: Owner) -> ImagesOverview:
        async with self._recorded(owner, "images", _Record(None, None)):
            return await self.sandbox.images(owner)

    async def remove_image(self, owner: Owner, name: str) -> RemoveResult:
        async with self._recorded(owner, "rmi", _Record(name, None)):
            return await self.sandbox.remove_image(owner, name)

    async def info(self, owner: Owner) -> EngineInfo:
        async with self._recorded(owner, "info", _Record(None, None)):
            return await self.sandbox.info(owner)

    async def image_names(self, owner: Owner) -> list[str]:
        """What a student may type as an image: their own first, then the base images."""
        overview = await self.sandbox.images(owner)
        own = [f"{i.repository}:{i.tag}" for i in overview.own]
        return own + [b for b in self.sandbox.base_images if b not in overview.missing_base]
