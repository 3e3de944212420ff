"""Exercises: the seed's three and the teachers' own, checked against each
student's own lab container and images; attempts, passes and the class view."""

from __future__ import annotations

import logging
import posixpath
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from fnmatch import fnmatchcase
from zoneinfo import ZoneInfo

from bot import exercises
from bot.errors import EngineUnavailable, NotFound, UserError
from bot.exercises import PLAYGROUND_KINDS, Check, Exercise, parse_checks
from bot.sandbox.models import Owner
from bot.services.fleet import Engine, Fleet
from bot.services.recording import Recorder
from bot.store import Attempt, ExerciseState, ExerciseStore, RosterStore, StoredExercise

log = logging.getLogger(__name__)

#: A file a `file` check reads is read up to this many bytes.
FILE_CHECK_LIMIT = 64 * 1024
#: Failed attempts without a pass after which a student counts as stuck.
STUCK_AFTER = 3
MAX_TITLE = 100
#: The longest answer a student may give to /exercise check (a host path fits well).
MAX_ANSWER = 500
MAX_INSTRUCTIONS = 3500
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: Check
    passed: bool
    detail: str = ""  # what was found, for the student


@dataclass(frozen=True, slots=True)
class CheckReport:
    exercise: Exercise
    results: tuple[CheckResult, ...]
    late: bool
    first_pass: bool

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)


@dataclass(frozen=True, slots=True)
class StudentStatus:
    attempts: int
    passed_at: datetime | None
    late: bool
    last_attempt: datetime | None


@dataclass(frozen=True, slots=True)
class ClassRow:
    user_id: int
    display_name: str
    exercise_id: str
    status: str  # passed | tried | not started
    attempts: int
    first_pass: datetime | None
    last_attempt: datetime | None
    late: bool


@dataclass(frozen=True, slots=True)
class StuckStudent:
    user_id: int
    display_name: str
    exercise_id: str
    failed_attempts: int
    worst_check: str


def parse_deadline(text: str, zone: ZoneInfo) -> datetime:
    """``2026-12-01 23:59`` or ``2026-12-01`` (end of that day), in the course's time zone."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return datetime.combine(day.date(), time(23, 59), tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UserError("exercise.bad_deadline", text=text) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class Exercises:
    def __init__(
        self, store: ExerciseStore, roster: RosterStore, fleet: Fleet, recorder: Recorder, zone: ZoneInfo
    ) -> None:
        self.store = store
        self.roster = roster
        self.fleet = fleet
        self.recorder = recorder
        self.zone = zone

    # -- reading ------------------------------------------------------------------

    async def all(self, guild_id: int, lang: str) -> list[Exercise]:
        state = await self.store.states(guild_id)
        found: list[Exercise] = list(exercises.builtin(lang).values())
        found += [
            Exercise(
                id=e.id,
                title=e.title,
                instructions=e.instructions,
                hints=e.hints,
                checks_text=e.checks,
                builtin=False,
            )
            for e in await self.store.all(guild_id)
        ]
        return [self._with_state(e, state.get(e.id)) for e in found]

    @staticmethod
    def _with_state(exercise: Exercise, state: ExerciseState | None) -> Exercise:
        if state is None:
            return exercise
        return replace(exercise, deadline=state.deadline, closed=state.closed)

    async def get(self, guild_id: int, exercise_id: str, lang: str) -> Exercise:
        wanted = exercise_id.strip().lower()
        for exercise in await self.all(guild_id, lang):
            if exercise.id == wanted:
                return exercise
        raise NotFound("exercise.unknown", id=exercise_id)

    async def ids(self, guild_id: int) -> list[str]:
        return [e.id for e in await self.all(guild_id, "en")]

    # -- students -----------------------------------------------------------------

    async def check(
        self, owner: Owner, display_name: str, exercise_id: str, lang: str, answer: str | None = None
    ) -> CheckReport:
        """Run an exercise's checks; ``answer`` is what the student found out (for
        the ``answer`` checks)."""
        if answer is not None and len(answer) > MAX_ANSWER:
            raise UserError("exercise.answer_too_long", limit=MAX_ANSWER)
        exercise = await self.get(owner.guild_id, exercise_id, lang)
        if exercise.closed:
            raise UserError("exercise.closed", id=exercise.id)
        async with self.recorder.record(owner, "exercise check", None, exercise.id) as record:
            engine = await self.fleet.of(owner, record)
            async with engine.gate.slot(owner.key):
                results = tuple([await self._run(engine, owner, check, answer) for check in exercise.checks])
        now = datetime.now(UTC)
        late = exercise.deadline is not None and now > exercise.deadline
        passed = all(r.passed for r in results)
        before = await self.status(owner)
        failed = tuple(r.check.source for r in results if not r.passed)
        await self.store.record_attempt(
            owner.guild_id, Attempt(owner.user_id, display_name, exercise.id, passed, failed, late, now)
        )
        first = passed and before.get(exercise.id, _NEVER).passed_at is None
        return CheckReport(exercise=exercise, results=results, late=late, first_pass=first)

    async def _run(self, engine: Engine, owner: Owner, check: Check, answer: str | None) -> CheckResult:
        try:
            if check.kind == "answer":
                return await self._answer(engine, owner, check, answer)
            return await self._evaluate(engine, owner, check)
        except EngineUnavailable:
            raise  # not the student's mistake: no attempt is recorded
        except UserError as exc:
            return CheckResult(check, False, f"{exc.key}")

    async def _evaluate(self, engine: Engine, owner: Owner, check: Check) -> CheckResult:
        kind, args = check.kind, check.args
        sandbox = engine.sandbox
        if kind in PLAYGROUND_KINDS:
            return await self._in_playground(engine, owner, check)
        if kind == "diff":
            _, changes = await engine.sandbox.labs.diff(owner)
            if args[0] == "lacks":
                return CheckResult(check, not any(check.matches_path(c.path) for c in changes))
            hit = any(c.kind.letter == args[0] and check.matches_path(c.path) for c in changes)
            return CheckResult(check, hit)
        if kind == "file":
            data = await engine.sandbox.labs.read_file(owner, args[0], FILE_CHECK_LIMIT)
            wanted = " ".join(args[2:])
            return CheckResult(check, data is not None and wanted in data.decode("utf-8", "replace"))
        if kind == "lab":
            lab = await engine.sandbox.labs.find(owner)
            if lab is None:
                return CheckResult(check, False, "lab.none")
            wanted = (await sandbox.policy.resolve(owner, args[0])).shown
            return CheckResult(check, lab.image == wanted, lab.image)
        ref = await sandbox.policy.resolve(owner, args[0])
        if kind == "image":
            return CheckResult(check, ref.own)
        if kind == "history":
            text = " ".join(args[2:])
            entries = await sandbox.images.history(ref)
            return CheckResult(check, any(text in e.created_by for e in entries))
        if kind == "run":
            result = await sandbox.runner.run(owner, ref, " ".join(args[1:]))
            return CheckResult(check, result.exit_code == 0, f"exit {result.exit_code}")
        if kind == "layers":
            return CheckResult(check, await sandbox.images.layers_over_base(ref) > 0)
        raise ValueError(kind)

    @staticmethod
    async def _answer(engine: Engine, owner: Owner, check: Check, answer: str | None) -> CheckResult:
        """What the student found out, against the truth of this lab host."""
        given = normal_answer(answer or "")
        if not given:
            return CheckResult(check, False, "no answer")
        if check.args[0] == "is":
            wanted = normal_answer(" ".join(check.args[1:]))
            return CheckResult(check, fnmatchcase(given.lower(), wanted.lower()))
        _, view = await engine.sandbox.labs.host_view(owner)
        where = posixpath.normpath(view.upper_dir.rstrip("/") + "/" + check.args[1].lstrip("/"))
        return CheckResult(check, posixpath.normpath(given) == where)

    @staticmethod
    async def _in_playground(engine: Engine, owner: Owner, check: Check) -> CheckResult:
        """A check on the student's OverlayFS playground (``overlay.none`` without one)."""
        kind, args = check.kind, check.args
        playgrounds = engine.sandbox.playgrounds
        if kind == "overlay":
            mounted = await playgrounds.mounted(owner, args[1])
            return CheckResult(check, mounted == (args[0] == "mounted"))
        facts = await playgrounds.facts(owner, args[1] if kind == "playground" else args[0], FILE_CHECK_LIMIT)
        if kind == "whiteout":
            return CheckResult(check, facts is not None and facts.kind == "whiteout")
        if kind == "opaque":
            return CheckResult(check, facts is not None and facts.kind == "dir" and facts.opaque)
        if facts is None or facts.kind != "file":
            return CheckResult(check, False)
        found = " ".join(args[3:]) in facts.head.decode("utf-8", "replace")
        return CheckResult(check, found == (args[2] == "contains"))

    async def status(self, owner: Owner) -> dict[str, StudentStatus]:
        by_exercise: dict[str, list[Attempt]] = {}
        for attempt in await self.store.attempts(owner.guild_id, owner.user_id):
            by_exercise.setdefault(attempt.exercise_id, []).append(attempt)
        return {key: _summary(attempts) for key, attempts in by_exercise.items()}

    # -- teachers -----------------------------------------------------------------

    async def save(
        self,
        guild_id: int,
        author: int,
        *,
        title: str,
        instructions: str,
        checks: str,
        hints: str,
        exercise_id: str | None = None,
    ) -> Exercise:
        """Validate and save a teacher's exercise (new, or an edit of ``exercise_id``)."""
        title, instructions = title.strip(), instructions.strip()
        if not title or len(title) > MAX_TITLE:
            raise UserError("exercise.bad_title", limit=MAX_TITLE)
        if not instructions or len(instructions) > MAX_INSTRUCTIONS:
            raise UserError("exercise.bad_instructions", limit=MAX_INSTRUCTIONS)
        parse_checks(checks)  # raises with the line and the problem
        known = await self.ids(guild_id)
        if exercise_id is None:
            base = _SLUG.sub("-", title.lower()).strip("-")[:40] or "exercise"
            exercise_id, n = base, 2
            while exercise_id in known:
                exercise_id, n = f"{base}-{n}", n + 1
        elif exercise_id in exercises.BUILTIN:
            raise UserError("exercise.builtin", id=exercise_id)
        elif exercise_id not in known:
            raise NotFound("exercise.unknown", id=exercise_id)
        await self.store.save(
            StoredExercise(
                guild_id=guild_id,
                id=exercise_id,
                title=title,
                instructions=instructions,
                hints=tuple(h.strip() for h in hints.splitlines() if h.strip()),
                checks=checks,
                created_by=author,
            )
        )
        return await self.get(guild_id, exercise_id, "en")

    async def post(
        self, guild_id: int, exercise_id: str, *, channel_id: int, deadline: str | None, lang: str
    ) -> Exercise:
        exercise = await self.get(guild_id, exercise_id, lang)
        state = await self.store.state(guild_id, exercise.id)
        moment = parse_deadline(deadline, self.zone) if deadline else state.deadline
        new = replace(state, deadline=moment, closed=False, channel_id=channel_id)
        await self.store.save_state(guild_id, exercise.id, new)
        return self._with_state(exercise, new)

    async def posted(self, guild_id: int, exercise_id: str, message_id: int) -> None:
        state = await self.store.state(guild_id, exercise_id)
        await self.store.save_state(guild_id, exercise_id, replace(state, message_id=message_id))

    async def close(self, guild_id: int, exercise_id: str, lang: str) -> Exercise:
        exercise = await self.get(guild_id, exercise_id, lang)
        state = await self.store.state(guild_id, exercise.id)
        await self.store.save_state(guild_id, exercise.id, replace(state, closed=True))
        return replace(exercise, closed=True)

    async def class_rows(self, guild_id: int, exercise_id: str | None) -> list[ClassRow]:
        all_ids = await self.ids(guild_id)
        if exercise_id is not None and exercise_id not in all_ids:
            raise NotFound("exercise.unknown", id=exercise_id)
        wanted = [exercise_id] if exercise_id else all_ids
        return class_table(await self.roster.students(guild_id), await self.store.attempts(guild_id), wanted)

    async def stuck(self, guild_id: int) -> list[StuckStudent]:
        return stuck_students(await self.store.attempts(guild_id))


def normal_answer(text: str) -> str:
    """An answer as typed, without what Discord or a copy adds: quotes, backticks, spaces."""
    return text.strip().strip("`'\"").strip()


def _by_student(attempts: Sequence[Attempt]) -> dict[tuple[int, str], list[Attempt]]:
    grouped: dict[tuple[int, str], list[Attempt]] = {}
    for attempt in attempts:
        grouped.setdefault((attempt.user_id, attempt.exercise_id), []).append(attempt)
    return grouped


def class_table(
    students: dict[int, str], attempts: Sequence[Attempt], wanted: Sequence[str]
) -> list[ClassRow]:
    """One row per student (everyone who used the bot, by name) and exercise in
    ``wanted``: passed, tried or not started, from ``attempts`` (oldest first)."""
    names = dict(students)
    for attempt in attempts:
        if attempt.display_name:
            names[attempt.user_id] = attempt.display_name  # the newest name wins
    grouped = _by_student(attempts)
    rows = []
    for user_id, name in sorted(names.items(), key=lambda kv: (kv[1].lower(), kv[0])):
        for eid in wanted:
            tried = grouped.get((user_id, eid), [])
            summary = _summary(tried)
            status = "passed" if summary.passed_at else "tried" if tried else "not started"
            rows.append(
                ClassRow(
                    user_id,
                    name,
                    eid,
                    status,
                    summary.attempts,
                    summary.passed_at,
                    summary.last_attempt,
                    summary.late,
                )
            )
    return rows


def stuck_students(attempts: Sequence[Attempt]) -> list[StuckStudent]:
    """Who failed an exercise ``STUCK_AFTER`` times or more without passing it, most
    failures first, with the check they failed most often."""
    found = []
    for (user_id, eid), tried in _by_student(attempts).items():
        if any(a.passed for a in tried) or len(tried) < STUCK_AFTER:
            continue
        worst = Counter(line for a in tried for line in a.failed).most_common(1)
        name = next((a.display_name for a in reversed(tried) if a.display_name), "")
        found.append(StuckStudent(user_id, name, eid, len(tried), worst[0][0] if worst else ""))
    found.sort(key=lambda s: (-s.failed_attempts, s.display_name))
    return found


_NEVER = StudentStatus(attempts=0, passed_at=None, late=False, last_attempt=None)


def _summary(attempts: list[Attempt]) -> StudentStatus:
    if not attempts:
        return _NEVER
    first_pass = next((a for a in attempts if a.passed), None)
    return StudentStatus(
        attempts=len(attempts),
        passed_at=first_pass.created_at if first_pass else None,
        late=first_pass.late if first_pass else False,
        last_attempt=attempts[-1].created_at,
    )
