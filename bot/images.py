"""`layerlab images prepare`: put every base image on offer on the lab engine."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.app import make_sandbox
from bot.errors import EngineUnavailable, UserError
from bot.render.units import human_size
from bot.settings import Settings

BAR_WIDTH = 30


def _bar(done: int, total: int) -> str:
    filled = int(BAR_WIDTH * done / total) if total else 0
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + f"] {human_size(done)}/{human_size(total)}"


async def prepare(settings: Settings, out: TextIO = sys.stdout) -> int:
    sandbox = make_sandbox(settings)
    failed = 0
    live = out.isatty()
    try:
        for ref in sandbox.base_images:

            def progress(done: int, total: int, ref: str = ref) -> None:
                if live:
                    print(f"\r{ref}: {_bar(done, total)}", end="", file=out, flush=True)

            try:
                pulled = await sandbox.prepare_image(ref, progress)
            except EngineUnavailable:
                print(f"FAIL {ref}: no Docker engine answers (DOCKER_HOST)", file=out)
                return 1
            except UserError as exc:
                failed += 1
                if live:
                    print(file=out)
                print(f"FAIL {ref}: {exc.params.get('reason', exc.key)}", file=out)
                continue
            if live and pulled:
                print(file=out)
            print(f"ok   {ref}: {'pulled' if pulled else 'already on the engine'}", file=out)
    finally:
        await sandbox.close()
    print(
        f"{failed} image(s) could not be prepared" if failed else "all base images are on the engine",
        file=out,
    )
    return 1 if failed else 0
