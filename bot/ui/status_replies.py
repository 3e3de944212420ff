"""The reply of /admin status: every lab engine, and the bot itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.i18n import Catalog
from bot.render.table import table
from bot.render.units import human_count, human_size
from bot.services.fleet import EngineReport
from bot.ui.replies import WARNING_COLOUR, Reply, code_content, make_embed


def milliseconds(value: int | None) -> str:
    if value is None:
        return "-"
    return f"{value}ms" if value < 1000 else f"{value / 1000:.1f}s"


def uptime_text(uptime: timedelta) -> str:
    """``2d 03:14:07``: the same in every language."""
    seconds = max(0, int(uptime.total_seconds()))
    days, rest = divmod(seconds, 86400)
    return f"{days}d {rest // 3600:02}:{rest % 3600 // 60:02}:{rest % 60:02}"


def status_reply(
    t: Catalog, lang: str, engines: Sequence[EngineReport], *, version: str, uptime: timedelta
) -> Reply:
    rows = [
        [
            "ENGINE",
            "STATE",
            "VERSION",
            "RUNNING",
            "STUDENTS",
            "JOBS",
            "QUEUED",
            "RUNS 1H",
            "P50",
            "P95",
            "FREE",
            "INODES FREE",
            "WARM",
        ]
    ]
    for e in engines:
        rows.append(
            [
                e.name,
                "up" if e.up else "DOWN",
                e.version or "-",
                str(e.containers_running) if e.up else "-",
                str(e.students),
                str(e.jobs_running),
                str(e.jobs_waiting),
                str(e.runs),
                milliseconds(e.p50_ms),
                milliseconds(e.p95_ms),
                human_size(e.free_bytes) if e.free_bytes is not None else "-",
                human_count(e.free_inodes) if e.free_inodes is not None else "-",
                f"{e.warm_idle}/{e.warm_wanted}" if e.warm_wanted else "-",
            ]
        )
    content, files = code_content(t, lang, table(rows), "status.txt")
    down = [e.name for e in engines if not e.up]
    low = [e.name for e in engines if e.below_floor]
    description = t(lang, "admin.status_explain", version=version, uptime=uptime_text(uptime))
    if down:
        description += "\n" + t(lang, "admin.status_down", engines=", ".join(down))
    if low:
        description += "\n" + t(lang, "admin.status_disk_low", engines=", ".join(low))
    embed = make_embed(t(lang, "admin.status_title", count=len(engines)), description)
    if down or low:
        embed.colour = WARNING_COLOUR
    return Reply(content=content, embeds=(embed,), files=files)
