"""`layerlab images prepare`: put every base image on offer on every lab engine."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.app import make_sandboxes
from bot.errors import EngineUnavailable, UserError
from bot.render.units import human_size
from bot.sandbox.sandbox import Sandbox
from bot.settings import Settings

BAR_WIDTH = 30


def _bar(done: int, total: int) -> str:
    filled = int(BAR_WIDTH * done / total) if total else 0
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + f"] {human_size(done)}/{human_size(total)}"


async def prepare(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Every engine in turn; an engine that does not answer is reported and the
    others are still prepared. Exit code 1 when anything failed."""
    failed = 0
    sandboxes = make_sandboxes(settings)
    for sandbox in sandboxes:
        if len(sandboxes) > 1:
            print(f"engine {sandbox.name}:", file=out)
        try:
            failed += await _prepare_engine(sandbox, out)
        finally:
            await sandbox.close()
    print(
        f"{failed} image(s) could not be prepared" if failed else "all base images are on the engine(s)",
        file=out,
    )
    return 1 if failed else 0


async def _prepare_engine(sandbox: Sandbox, out: TextIO) -> int:
    """Returns how many images failed."""
    failed = 0
    live = out.isatty()
    for ref in sandbox.policy.base_images:

        def progress(done: int, total: int, ref: str = ref) -> None:
            if live:
                print(f"\r{ref}: {_bar(done, total)}", end="", file=out, flush=True)

        try:
            pulled = await sandbox.images.prepare(ref, progress)
        except EngineUnavailable:
            print(f"FAIL {sandbox.url}: no Docker engine answers", file=out)
            return len(sandbox.policy.base_images)
        except UserError as exc:
            failed += 1
            if live:
                print(file=out)
            print(f"FAIL {ref}: {exc.params.get('reason', exc.key)}", file=out)
            continue
        if live and pulled:
            print(file=out)
        print(f"ok   {ref}: {'pulled' if pulled else 'already on the engine'}", file=out)
    return failed
