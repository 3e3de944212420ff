"""SQLite storage: numbered migrations, WAL, rows back as frozen dataclasses.

Durability: WAL with ``synchronous=FULL`` means a transaction that returned
from ``commit`` survives the process being killed (and the machine losing
power); a transaction cut off half-way is rolled back on the next open.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
#: How long a writer waits for another connection's lock before failing.
BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    guild_id: int
    user_id: int
    command: str
    image: str | None
    input: str | None
    exit_code: int | None
    duration_ms: int
    outcome: str
    created_at: datetime
    output_head: str | None = None
    diff: str | None = None


@dataclass(frozen=True, slots=True)
class Lab:
    guild_id: int
    user_id: int
    container_id: str
    image: str
    display_name: str
    created_at: datetime
    last_used_at: datetime


@dataclass(frozen=True, slots=True)
class TopicActivity:
    """What one student did in one topic."""

    topic: str
    pages: frozenset[int]
    demos: frozenset[str]
    best_score: int | None
    latest_score: int | None
    quiz_total: int | None


@dataclass(frozen=True, slots=True)
class StoredAbout:
    """How many rows the store holds about one student (for /privacy)."""

    runs: int
    progress: int
    quiz_attempts: int
    labs: int
    settings: int
    exercise_attempts: int = 0


@dataclass(frozen=True, slots=True)
class StoredExercise:
    guild_id: int
    id: str
    title: str
    instructions: str
    hints: tuple[str, ...]
    checks: str
    created_by: int


@dataclass(frozen=True, slots=True)
class ExerciseState:
    deadline: datetime | None = None
    closed: bool = False
    channel_id: int | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    user_id: int
    display_name: str
    exercise_id: str
    passed: bool
    failed: tuple[str, ...]
    late: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    guild_id: int
    user_id: int
    display_name: str
    text: str
    anonymous: bool
    status: str
    run_id: int | None
    thread_id: int | None
    message_id: int | None
    answer: str | None
    answered_by: int | None
    answered_at: datetime | None
    close_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Passage:
    ref: str
    lang: str
    title: str
    body: str
    rank: float


def _question(r: aiosqlite.Row) -> Question:
    return Question(
        id=r["id"],
        guild_id=r["guild_id"],
        user_id=r["user_id"],
        display_name=r["display_name"],
        text=r["text"],
        anonymous=bool(r["anonymous"]),
        status=r["status"],
        run_id=r["run_id"],
        thread_id=r["thread_id"],
        message_id=r["message_id"],
        answer=r["answer"],
        answered_by=r["answered_by"],
        answered_at=datetime.fromisoformat(r["answered_at"]) if r["answered_at"] else None,
        close_reason=r["close_reason"],
        created_at=datetime.fromisoformat(r["created_at"]),
    )


def _lab(row: aiosqlite.Row) -> Lab:
    return Lab(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        container_id=row["container_id"],
        image=row["image"],
        display_name=row["display_name"],
        created_at=datetime.fromisoformat(row["created_at"]),
        last_used_at=datetime.fromisoformat(row["last_used_at"]),
    )


def _fresh_target(target: Path) -> None:
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)


def _migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match[1]), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


class Store:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        store = cls(connection)
        try:
            await store._prepare()
        except BaseException:
            await connection.close()
            raise
        return store

    async def _prepare(self) -> None:
        await self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self._db.execute("PRAGMA journal_mode = WAL")
        await self._db.execute("PRAGMA synchronous = FULL")
        await self._db.execute("PRAGMA foreign_keys = ON")
        await self._migrate()

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        migrations = _migrations()
        if current > len(migrations):
            raise RuntimeError(
                f"database schema version {current} is newer than this bot knows ({len(migrations)})"
            )
        for number, sql in migrations[current:]:
            log.info("Applying database migration %04d", number)
            # One transaction per migration, the version bump included.
            await self._db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def close(self) -> None:
        await self._db.close()

    async def backup(self, path: Path | str) -> int:
        """An online, consistent copy (SQLite's backup API) while the bot keeps writing;
        returns the schema version of the copy."""
        target = Path(path)
        await asyncio.to_thread(_fresh_target, target)
        copy = await aiosqlite.connect(target)
        try:
            await self._db.backup(copy)
            async with copy.execute("PRAGMA integrity_check") as cursor:
                row = await cursor.fetchone()
            if not row or row[0] != "ok":
                raise RuntimeError(f"the backup failed its integrity check: {row}")
            async with copy.execute("PRAGMA user_version") as cursor:
                version = await cursor.fetchone()
        finally:
            await copy.close()
        return int(version[0]) if version else 0

    # -- runs --------------------------------------------------------------

    async def record_run(
        self,
        *,
        guild_id: int,
        user_id: int,
        command: str,
        image: str | None,
        input: str | None,
        exit_code: int | None,
        duration_ms: int,
        outcome: str,
        output_head: str | None = None,
        diff: str | None = None,
        engine: str | None = None,
    ) -> int:
        cursor = await self._db.execute(
            "INSERT INTO runs (guild_id, user_id, command, image, input, exit_code, duration_ms,"
            " outcome, created_at, output_head, diff, engine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                user_id,
                command,
                image,
                input,
                exit_code,
                duration_ms,
                outcome,
                datetime.now(UTC).isoformat(),
                output_head,
                diff,
                engine,
            ),
        )
        return int(cursor.lastrowid or 0)

    async def run_durations(self, engine: str, since: datetime, commands: tuple[str, ...]) -> list[int]:
        """Durations (ms) of the runs of ``commands`` on ``engine`` since ``since``
        that ran (not refused, not failed), shortest first."""
        marks = ", ".join("?" * len(commands))
        async with self._db.execute(
            f"SELECT duration_ms FROM runs WHERE engine = ? AND created_at >= ? AND command IN ({marks})"
            " AND outcome NOT LIKE 'refused:%' AND outcome != 'error' ORDER BY duration_ms",
            (engine, since.astimezone(UTC).isoformat(), *commands),
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]

    # -- placements (which engine holds a student's containers and images) -----

    async def placements(self) -> dict[tuple[int, int], str]:
        async with self._db.execute("SELECT guild_id, user_id, engine FROM placements") as cursor:
            return {(int(r[0]), int(r[1])): str(r[2]) for r in await cursor.fetchall()}

    async def place(self, guild_id: int, user_id: int, engine: str) -> None:
        await self._db.execute(
            "INSERT INTO placements (guild_id, user_id, engine, placed_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET engine = excluded.engine,"
            " placed_at = excluded.placed_at",
            (guild_id, user_id, engine, datetime.now(UTC).isoformat()),
        )

    async def runs(self, guild_id: int, user_id: int, limit: int = 50) -> list[Run]:
        async with self._db.execute(
            "SELECT * FROM runs WHERE guild_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            Run(
                id=r["id"],
                guild_id=r["guild_id"],
                user_id=r["user_id"],
                command=r["command"],
                image=r["image"],
                input=r["input"],
                exit_code=r["exit_code"],
                duration_ms=r["duration_ms"],
                outcome=r["outcome"],
                created_at=datetime.fromisoformat(r["created_at"]),
                output_head=r["output_head"],
                diff=r["diff"],
            )
            for r in rows
        ]

    # -- labs ----------------------------------------------------------------

    async def save_lab(self, lab: Lab) -> None:
        await self._db.execute(
            "INSERT INTO labs (guild_id, user_id, container_id, image, display_name, created_at,"
            " last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " container_id = excluded.container_id, image = excluded.image,"
            " display_name = excluded.display_name, created_at = excluded.created_at,"
            " last_used_at = excluded.last_used_at",
            (
                lab.guild_id,
                lab.user_id,
                lab.container_id,
                lab.image,
                lab.display_name,
                lab.created_at.isoformat(),
                lab.last_used_at.isoformat(),
            ),
        )

    async def touch_lab(self, guild_id: int, user_id: int, when: datetime) -> None:
        await self._db.execute(
            "UPDATE labs SET last_used_at = ? WHERE guild_id = ? AND user_id = ?",
            (when.isoformat(), guild_id, user_id),
        )

    async def lab(self, guild_id: int, user_id: int) -> Lab | None:
        async with self._db.execute(
            "SELECT * FROM labs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ) as cursor:
            row = await cursor.fetchone()
        return _lab(row) if row else None

    async def labs(self, guild_id: int | None = None) -> list[Lab]:
        query, args = "SELECT * FROM labs ORDER BY guild_id, user_id", tuple[int, ...]()
        if guild_id is not None:
            query, args = "SELECT * FROM labs WHERE guild_id = ? ORDER BY user_id", (guild_id,)
        async with self._db.execute(query, args) as cursor:
            return [_lab(row) for row in await cursor.fetchall()]

    async def delete_lab(self, guild_id: int, user_id: int) -> None:
        await self._db.execute("DELETE FROM labs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    # -- learning ------------------------------------------------------------

    async def record_progress(self, guild_id: int, user_id: int, topic: str, kind: str, item: str) -> bool:
        """Count a page read or a demo run once; True when it is new."""
        cursor = await self._db.execute(
            "INSERT OR IGNORE INTO progress (guild_id, user_id, topic, kind, item, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, topic, kind, item, datetime.now(UTC).isoformat()),
        )
        return cursor.rowcount == 1

    async def record_quiz(self, guild_id: int, user_id: int, topic: str, score: int, total: int) -> None:
        await self._db.execute(
            "INSERT INTO quiz_attempts (guild_id, user_id, topic, score, total, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, topic, score, total, datetime.now(UTC).isoformat()),
        )

    async def activity(self, guild_id: int, user_id: int) -> dict[str, TopicActivity]:
        pages: dict[str, set[int]] = {}
        demos: dict[str, set[str]] = {}
        async with self._db.execute(
            "SELECT topic, kind, item FROM progress WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ) as cursor:
            for row in await cursor.fetchall():
                if row["kind"] == "page":
                    pages.setdefault(row["topic"], set()).add(int(row["item"]))
                else:
                    demos.setdefault(row["topic"], set()).add(row["item"])
        scores: dict[str, tuple[int, int, int]] = {}
        async with self._db.execute(
            "SELECT topic, MAX(score) AS best, total,"
            " (SELECT score FROM quiz_attempts q2 WHERE q2.guild_id = q.guild_id AND q2.user_id = q.user_id"
            "  AND q2.topic = q.topic ORDER BY id DESC LIMIT 1) AS latest"
            " FROM quiz_attempts q WHERE guild_id = ? AND user_id = ? GROUP BY topic",
            (guild_id, user_id),
        ) as cursor:
            for row in await cursor.fetchall():
                scores[row["topic"]] = (row["best"], row["latest"], row["total"])
        topics = set(pages) | set(demos) | set(scores)
        return {
            topic: TopicActivity(
                topic=topic,
                pages=frozenset(pages.get(topic, ())),
                demos=frozenset(demos.get(topic, ())),
                best_score=scores[topic][0] if topic in scores else None,
                latest_score=scores[topic][1] if topic in scores else None,
                quiz_total=scores[topic][2] if topic in scores else None,
            )
            for topic in topics
        }

    async def language(self, user_id: int) -> str | None:
        async with self._db.execute(
            "SELECT language FROM user_settings WHERE user_id = ?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        return row["language"] if row else None

    async def languages(self) -> dict[int, str]:
        async with self._db.execute(
            "SELECT user_id, language FROM user_settings WHERE language IS NOT NULL"
        ) as cur:
            return {row["user_id"]: row["language"] for row in await cur.fetchall()}

    async def set_language(self, user_id: int, language: str | None) -> None:
        await self._db.execute(
            "INSERT INTO user_settings (user_id, language) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
            (user_id, language),
        )

    # -- exercises ---------------------------------------------------------------

    async def save_exercise(self, exercise: StoredExercise) -> None:
        await self._db.execute(
            "INSERT INTO exercises (guild_id, id, title, instructions, hints, checks, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, id) DO UPDATE SET"
            " title = excluded.title,"
            " instructions = excluded.instructions, hints = excluded.hints, checks = excluded.checks",
            (
                exercise.guild_id,
                exercise.id,
                exercise.title,
                exercise.instructions,
                "\n".join(exercise.hints),
                exercise.checks,
                exercise.created_by,
                datetime.now(UTC).isoformat(),
            ),
        )

    async def exercises(self, guild_id: int) -> list[StoredExercise]:
        async with self._db.execute(
            "SELECT * FROM exercises WHERE guild_id = ? ORDER BY created_at", (guild_id,)
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            StoredExercise(
                guild_id=r["guild_id"],
                id=r["id"],
                title=r["title"],
                instructions=r["instructions"],
                hints=tuple(h for h in r["hints"].splitlines() if h.strip()),
                checks=r["checks"],
                created_by=r["created_by"],
            )
            for r in rows
        ]

    async def exercise_state(self, guild_id: int) -> dict[str, ExerciseState]:
        async with self._db.execute("SELECT * FROM exercise_state WHERE guild_id = ?", (guild_id,)) as cursor:
            rows = await cursor.fetchall()
        return {
            r["id"]: ExerciseState(
                deadline=datetime.fromisoformat(r["deadline"]) if r["deadline"] else None,
                closed=bool(r["closed"]),
                channel_id=r["channel_id"],
                message_id=r["message_id"],
            )
            for r in rows
        }

    async def save_exercise_state(self, guild_id: int, exercise_id: str, state: ExerciseState) -> None:
        await self._db.execute(
            "INSERT INTO exercise_state (guild_id, id, deadline, closed, channel_id, message_id)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, id) DO UPDATE SET"
            " deadline = excluded.deadline,"
            " closed = excluded.closed, channel_id = excluded.channel_id, message_id = excluded.message_id",
            (
                guild_id,
                exercise_id,
                state.deadline.isoformat() if state.deadline else None,
                int(state.closed),
                state.channel_id,
                state.message_id,
            ),
        )

    async def record_attempt(
        self,
        guild_id: int,
        user_id: int,
        display_name: str,
        exercise_id: str,
        *,
        passed: bool,
        failed: list[str],
        late: bool,
    ) -> None:
        await self._db.execute(
            "INSERT INTO exercise_attempts (guild_id, user_id, display_name, exercise_id, passed, failed,"
            " late,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                user_id,
                display_name,
                exercise_id,
                int(passed),
                "\n".join(failed),
                int(late),
                datetime.now(UTC).isoformat(),
            ),
        )

    async def attempts(self, guild_id: int, user_id: int | None = None) -> list[Attempt]:
        query = "SELECT * FROM exercise_attempts WHERE guild_id = ?"
        args: tuple[int, ...] = (guild_id,)
        if user_id is not None:
            query += " AND user_id = ?"
            args += (user_id,)
        async with self._db.execute(query + " ORDER BY id", args) as cursor:
            rows = await cursor.fetchall()
        return [
            Attempt(
                user_id=r["user_id"],
                display_name=r["display_name"],
                exercise_id=r["exercise_id"],
                passed=bool(r["passed"]),
                failed=tuple(line for line in r["failed"].splitlines() if line),
                late=bool(r["late"]),
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    async def students(self, guild_id: int) -> dict[int, str]:
        """Everyone who used the bot in this server: user id -> last known display name."""
        names: dict[int, str] = {}
        for query in (
            "SELECT DISTINCT user_id, '' AS name FROM runs WHERE guild_id = ?",
            "SELECT user_id, display_name AS name FROM labs WHERE guild_id = ?",
            "SELECT user_id, display_name AS name FROM exercise_attempts WHERE guild_id = ? ORDER BY id",
        ):
            async with self._db.execute(query, (guild_id,)) as cursor:
                for row in await cursor.fetchall():
                    if row["name"] or row["user_id"] not in names:
                        names[row["user_id"]] = row["name"] or names.get(row["user_id"], "")
        return names

    # -- questions -----------------------------------------------------------------

    async def add_question(
        self,
        guild_id: int,
        user_id: int,
        display_name: str,
        text: str,
        *,
        anonymous: bool,
        run_id: int | None,
    ) -> int:
        cursor = await self._db.execute(
            "INSERT INTO questions (guild_id, user_id, display_name, text, anonymous, run_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, display_name, text, int(anonymous), run_id, datetime.now(UTC).isoformat()),
        )
        return int(cursor.lastrowid or 0)

    async def set_question_post(self, question_id: int, *, thread_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE questions SET thread_id = ?, message_id = ? WHERE id = ?",
            (thread_id, message_id, question_id),
        )

    async def question(self, guild_id: int, question_id: int) -> Question | None:
        async with self._db.execute(
            "SELECT * FROM questions WHERE guild_id = ? AND id = ?", (guild_id, question_id)
        ) as cursor:
            row = await cursor.fetchone()
        return _question(row) if row else None

    async def questions(self, guild_id: int, status: str | None = None) -> list[Question]:
        query, args = "SELECT * FROM questions WHERE guild_id = ?", [guild_id]
        if status:
            query += " AND status = ?"
            args.append(status)  # type: ignore[arg-type]
        async with self._db.execute(query + " ORDER BY id", args) as cursor:
            return [_question(r) for r in await cursor.fetchall()]

    async def asked_since(self, guild_id: int, user_id: int, since: datetime) -> int:
        async with self._db.execute(
            "SELECT COUNT(*) FROM questions WHERE guild_id = ? AND user_id = ? AND created_at >= ?",
            (guild_id, user_id, since.isoformat()),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def answer_question(self, question_id: int, answer: str, by: int) -> None:
        """Mark answered and make the pair searchable, in one transaction."""
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            await self._db.execute(
                "UPDATE questions SET status = 'answered', answer = ?, answered_by = ?, answered_at = ?"
                " WHERE id = ?",
                (answer, by, datetime.now(UTC).isoformat(), question_id),
            )
            async with self._db.execute(
                "SELECT guild_id, text FROM questions WHERE id = ?", (question_id,)
            ) as c:
                row = await c.fetchone()
            ref = f"question:{question_id}"
            await self._db.execute("DELETE FROM passages WHERE ref = ?", (ref,))
            if row is not None:
                await self._db.execute(
                    "INSERT INTO passages (ref, guild_id, lang, title, body) VALUES (?, ?, '', ?, ?)",
                    (ref, row["guild_id"], row["text"], answer),
                )
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise

    async def close_question(self, question_id: int, reason: str) -> None:
        await self._db.execute(
            "UPDATE questions SET status = 'closed', close_reason = ? WHERE id = ?", (reason, question_id)
        )

    async def index_lessons(self, passages: list[tuple[str, str, str, str]]) -> None:
        """(ref, lang, title, body) of every lesson page, replacing the lessons indexed before."""
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            await self._db.execute("DELETE FROM passages WHERE ref LIKE 'lesson:%'")
            await self._db.executemany(
                "INSERT INTO passages (ref, guild_id, lang, title, body) VALUES (?, 0, ?, ?, ?)", passages
            )
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise

    async def search(
        self, guild_id: int, match: str, *, lessons: bool = True, limit: int = 3
    ) -> list[Passage]:
        """Ranked full-text search (bm25, titles weigh more) over lessons and this server's answers."""
        if not match:
            return []
        scope = "(guild_id = 0 OR guild_id = ?)" if lessons else "guild_id = ?"
        async with self._db.execute(
            f"SELECT ref, lang, title, body, bm25(passages, 0, 0, 0, 3.0, 1.0) AS rank FROM passages"
            f" WHERE passages MATCH ? AND {scope} ORDER BY rank LIMIT ?",
            (match, guild_id, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [Passage(r["ref"], r["lang"], r["title"], r["body"], float(r["rank"])) for r in rows]

    # -- privacy ---------------------------------------------------------------

    #: Tables keyed by course server and user; user_settings is per user.
    _PER_GUILD = ("runs", "labs", "progress", "quiz_attempts", "exercise_attempts", "questions", "placements")

    async def stored_about(self, guild_id: int, user_id: int) -> StoredAbout:
        counts: dict[str, int] = {}
        for table in self._PER_GUILD:
            async with self._db.execute(
                f"SELECT COUNT(*) FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            ) as cursor:
                row = await cursor.fetchone()
            counts[table] = int(row[0]) if row else 0
        async with self._db.execute(
            "SELECT COUNT(*) FROM user_settings WHERE user_id = ?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        return StoredAbout(
            runs=counts["runs"],
            progress=counts["progress"],
            quiz_attempts=counts["quiz_attempts"],
            labs=counts["labs"],
            settings=int(row[0]) if row else 0,
            exercise_attempts=counts["exercise_attempts"],
        )

    async def delete_user_data(self, guild_id: int, user_id: int) -> int:
        """Remove every row about this user in this course server, and their own settings."""
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            deleted = 0
            # Their questions leave the search index too.
            await self._db.execute(
                "DELETE FROM passages WHERE ref IN (SELECT 'question:' || id FROM questions"
                " WHERE guild_id = ? AND user_id = ?)",
                (guild_id, user_id),
            )
            for table in self._PER_GUILD:
                cursor = await self._db.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
                deleted += cursor.rowcount
            cursor = await self._db.execute("DELETE FROM user_settings WHERE user_id = ?", (user_id,))
            deleted += cursor.rowcount
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        return deleted
