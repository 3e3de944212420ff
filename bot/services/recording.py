"""Every command a student runs is recorded, refusals and failures included."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.errors import UserError
from bot.render import cli
from bot.render.terminal import terminal_text
from bot.sandbox.models import Owner, RunResult
from bot.store import RunStore

log = logging.getLogger(__name__)

#: The commands that run a student's command in a container: /admin status reports
#: their times (queue included), and a question can attach the last of them.
CONTAINER_COMMANDS = ("diff", "commit", "lab run", "exercise check")
#: Characters of a run's output and of its diff kept with the run.
OUTPUT_HEAD = 1000
DIFF_HEAD = 2000


@dataclass
class RunRecord:
    image: str | None
    input: str | None
    exit_code: int | None = None
    outcome: str = "ok"
    output_head: str | None = None
    diff: str | None = None
    engine: str | None = None  # the URL of the engine it went to

    def finished(self, result: RunResult) -> None:
        self.exit_code = result.exit_code
        self.outcome = run_outcome(result)
        # Kept for questions that attach this run: the start of the output, the diff.
        self.output_head = terminal_text(result.output)[:OUTPUT_HEAD]
        self.diff = cli.diff(result.changes)[:DIFF_HEAD] if result.changes else None


def run_outcome(result: RunResult) -> str:
    if result.timed_out:
        return "timeout"
    if result.oom_killed:
        return "oom"
    if result.output_truncated:
        return "output_limit"
    if result.disk_low:
        return "disk_low"
    if result.layer_too_big or result.disk_stopped:
        return "layer_limit"
    return "ok"


class Recorder:
    def __init__(self, runs: RunStore) -> None:
        self.runs = runs

    @asynccontextmanager
    async def record(
        self, owner: Owner, command: str, image: str | None = None, input: str | None = None
    ) -> AsyncIterator[RunRecord]:
        record = RunRecord(image=image, input=input)
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
                await self.runs.record(
                    guild_id=owner.guild_id,
                    user_id=owner.user_id,
                    command=command,
                    image=record.image,
                    input=record.input,
                    exit_code=record.exit_code,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    outcome=record.outcome,
                    output_head=record.output_head,
                    diff=record.diff,
                    engine=record.engine,
                )
            except Exception:
                log.exception("Could not record a %s run", command)
