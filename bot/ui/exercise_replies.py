"""Messages for /exercise and /class."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.exercises import Exercise
from bot.i18n import Catalog
from bot.render.table import table
from bot.services.exercises import CheckReport, ClassRow, StuckStudent, StudentStatus
from bot.ui.replies import WARNING_COLOUR, Reply, code_content, make_embed
from bot.ui.text import inline

GOOD, BAD = "✅", "❌"
#: Embed fields shown at most in one check report (Discord allows 25).
MAX_FIELDS = 20


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def list_reply(
    t: Catalog, lang: str, items: Sequence[Exercise], status: dict[str, StudentStatus], zone: ZoneInfo
) -> Reply:
    rows = [
        [
            "ID",
            t(lang, "exercise.col_title"),
            t(lang, "exercise.col_status"),
            t(lang, "exercise.col_deadline"),
        ]
    ]
    for exercise in items:
        mine = status.get(exercise.id)
        if mine and mine.passed_at:
            state = t(lang, "exercise.passed_late" if mine.late else "exercise.passed")
        elif mine:
            state = t(lang, "exercise.tried", attempts=mine.attempts)
        else:
            state = t(lang, "exercise.not_started")
        if exercise.closed:
            state += " · " + t(lang, "exercise.closed_mark")
        rows.append([exercise.id, exercise.title, state, _when(exercise.deadline, zone) or "-"])
    content, files = code_content(t, lang, table(rows), "exercises.txt")
    return Reply(
        content=content,
        embeds=(make_embed(t(lang, "exercise.list_title"), t(lang, "exercise.list_help")),),
        files=files,
    )


def exercise_embed(t: Catalog, lang: str, exercise: Exercise, zone: ZoneInfo) -> discord.Embed:
    embed = make_embed(f"{exercise.title} · {exercise.id}", exercise.instructions)
    if exercise.deadline:
        embed.add_field(name=t(lang, "exercise.deadline"), value=_when(exercise.deadline, zone))
    embed.add_field(name=t(lang, "exercise.checks"), value=str(len(exercise.checks)))
    if exercise.closed:
        embed.add_field(name=t(lang, "exercise.state"), value=t(lang, "exercise.closed_mark"))
    return embed


def show_reply(t: Catalog, lang: str, exercise: Exercise, zone: ZoneInfo) -> Reply:
    return Reply(content="", embeds=(exercise_embed(t, lang, exercise, zone),))


def check_reply(t: Catalog, lang: str, report: CheckReport) -> Reply:
    lines = []
    for number, result in enumerate(report.results[:MAX_FIELDS], start=1):
        mark = GOOD if result.passed else BAD
        if result.check.hidden:  # a discovery: the check itself would give the answer away
            line = f"{mark} " + t(lang, "exercise.discovery", line=number)
        else:
            line = f"{mark} `{inline(result.check.source)}`"
        if not result.passed and result.check.hint:
            line += f"\n  ↳ {result.check.hint}"
        lines.append(line)
    passed = sum(r.passed for r in report.results)
    verdict = t(
        lang,
        "exercise.all_passed" if report.passed else "exercise.some_failed",
        passed=passed,
        total=len(report.results),
    )
    extra = []
    if report.first_pass:
        extra.append(t(lang, "exercise.first_pass"))
    if report.late:
        extra.append(t(lang, "exercise.late"))
    description = "\n".join([verdict, *extra, "", *lines])
    colour = 0x2EA043 if report.passed else WARNING_COLOUR
    embed = make_embed(
        t(lang, "exercise.check_title", title=report.exercise.title), description[:4096], colour
    )
    return Reply(content="", embeds=(embed,))


def hint_reply(t: Catalog, lang: str, exercise: Exercise) -> Reply:
    hints = "\n".join(f"• {h}" for h in exercise.hints) or t(lang, "exercise.no_hints")
    return Reply(
        content="", embeds=(make_embed(t(lang, "exercise.hint_title", title=exercise.title), hints),)
    )


CSV_COLUMNS = (
    "user_id",
    "display_name",
    "exercise",
    "status",
    "attempts",
    "first_pass",
    "last_attempt",
    "late",
)


def class_csv(rows: Sequence[ClassRow], zone: ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.user_id,
                r.display_name,
                r.exercise_id,
                r.status,
                r.attempts,
                _when(r.first_pass, zone),
                _when(r.last_attempt, zone),
                "yes" if r.late else "",
            ]
        )
    return out.getvalue().encode()


def class_reply(t: Catalog, lang: str, rows: Sequence[ClassRow], zone: ZoneInfo) -> Reply:
    summary = [["EXERCISE", "PASSED", "TRIED", "NOT STARTED"]]
    by_exercise: dict[str, list[ClassRow]] = {}
    for row in rows:
        by_exercise.setdefault(row.exercise_id, []).append(row)
    for eid, group in by_exercise.items():
        counts = [sum(r.status == s for r in group) for s in ("passed", "tried", "not started")]
        summary.append([eid, *map(str, counts)])
    content, files = code_content(t, lang, table(summary), "class-summary.txt")
    files = (*files, ("class-progress.csv", class_csv(rows, zone)))
    students = len({r.user_id for r in rows})
    embed = make_embed(t(lang, "class.progress_title"), t(lang, "class.progress_help", students=students))
    return Reply(content=content, embeds=(embed,), files=files)


def stuck_reply(t: Catalog, lang: str, stuck: Sequence[StuckStudent]) -> Reply:
    if not stuck:
        return Reply(content=t(lang, "class.nobody_stuck"))
    rows = [["STUDENT", "USER ID", "EXERCISE", "FAILED", "FAILS MOST"]]
    rows += [
        [
            discord.utils.escape_mentions(s.display_name) or "?",
            str(s.user_id),
            s.exercise_id,
            str(s.failed_attempts),
            s.worst_check,
        ]
        for s in stuck
    ]
    content, files = code_content(t, lang, table(rows), "stuck.txt")
    embed = make_embed(t(lang, "class.stuck_title", count=len(stuck)), t(lang, "class.stuck_help"))
    return Reply(content=content, embeds=(embed,), files=files)
