"""A class at once: N students send /diff together, on one or two lab engines.

    .venv/bin/python -m benchmarks.bench_class [--students 24] [--engines 1|2] [--image NAME]

(from the repository's root, as root: it may start a second dockerd).

Bot: every student's /diff sent at the same moment through the local fake Discord
(real discord.py, real engines, real SQLite); each student's time runs from the
interaction to the result, queue included. With ``--engines 2`` a second dockerd
is started on this machine (as the tests do) and the students are placed by the
bot. CLI: the same work typed by N people at once, ``docker run`` + ``docker diff``
+ ``docker rm`` per student, split over the same engines. Prints the wall time of
the whole class, each side's median and p95 per student, and the ratios.

Both engines here share one machine's 2 cores, so a second engine shows the cost
of spreading, not the gain of a second lab host. Not a test: numbers vary.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.app import Services
from bot.console import offline
from bot.sandbox.models import DEFAULT_DOCKER_HOST, Owner
from bot.settings import Settings
from fakediscord import FakeDiscord, FakeUser
from tests.support.second_engine import SecondEngine

COMMAND = "echo Hallo > /tmp/testfile"
MAIN = os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST


def cli_student(image: str, name: str, url: str) -> float:
    docker = ["docker", "-H", url]
    started = time.perf_counter()
    subprocess.run(
        [*docker, "run", "--name", name, image, "/bin/sh", "-c", COMMAND], check=True, capture_output=True
    )
    diff = subprocess.run([*docker, "diff", name], check=True, capture_output=True, text=True).stdout
    subprocess.run([*docker, "rm", name], check=True, capture_output=True)
    assert "A /tmp/testfile" in diff
    return time.perf_counter() - started


def cli_class(image: str, students: int, urls: list[str]) -> tuple[float, list[float]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=students) as pool:
        times = list(
            pool.map(
                lambda i: cli_student(image, f"layerlab-bench-class-{i}", urls[i % len(urls)]),
                range(students),
            )
        )
    return time.perf_counter() - started, times


async def bot_class(image: str, students: int, urls: list[str], folder: Path) -> tuple[float, list[float]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database=folder / "bench.db",
        base_images=[image],
        default_image=image,
        docker_hosts=urls,
    )
    fake = FakeDiscord()
    await fake.start()
    try:
        async with offline(settings, fake) as (built, session):
            for engine in built.fleet.engines:  # warm-up: each engine's client
                await engine.sandbox.policy.resolve(Owner(guild_id=1, user_id=1), image)
            users = [FakeUser(id=300000000000000100 + i, name=f"student{i}") for i in range(students)]

            async def one(user: FakeUser) -> float:
                started = time.perf_counter()
                interaction = await session.command("diff", user=user, timeout=600)
                elapsed = time.perf_counter() - started
                assert "A /tmp/testfile" in fake.messages[interaction.original_id or ""]["content"]
                return elapsed

            started = time.perf_counter()
            times = await asyncio.gather(*(one(u) for u in users))
            wall = time.perf_counter() - started
            print(f"placement: {spread(built, fake.guild_id, users)}")
            return wall, list(times)
    finally:
        await fake.stop()


def spread(built: Services, guild_id: int, users: list[FakeUser]) -> dict[str, int]:
    """How many of the students the bot placed on each engine."""
    counts: dict[str, int] = {}
    for user in users:
        engine = built.fleet.placed(Owner(guild_id, user.id))
        name = engine.name if engine is not None else "nowhere"
        counts[name] = counts.get(name, 0) + 1
    return counts


def summary(label: str, wall: float, times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{label:<30} class {wall * 1000:7.0f} ms   per student: median {median * 1000:6.0f} ms"
        f"   p95 {p95 * 1000:6.0f} ms"
    )
    return wall, median, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--engines", type=int, choices=(1, 2), default=1)
    parser.add_argument("--image", default="layerlab-test/busybox:latest")
    args = parser.parse_args()

    second = None
    urls = [MAIN]
    try:
        if args.engines == 2:
            second = SecondEngine()
            second.start()
            second.load(args.image)
            urls.append(second.url)
        for url in urls:
            cli_student(args.image, "layerlab-bench-class-warmup", url)
        cli = cli_class(args.image, args.students, urls)
        with tempfile.TemporaryDirectory() as folder:
            bot = asyncio.run(bot_class(args.image, args.students, urls, Path(folder)))
    finally:
        if second is not None:
            second.remove()
    print(f"{args.students} students at once, {len(urls)} engine(s), image {args.image}, command {COMMAND!r}")
    cli_wall, cli_median, cli_p95 = summary("CLI (run + diff + rm each)", *cli)
    bot_wall, bot_median, bot_p95 = summary("/diff through the bot", *bot)
    print(
        f"ratio bot/CLI: class {bot_wall / cli_wall:.2f}x, median {bot_median / cli_median:.2f}x,"
        f" p95 {bot_p95 / cli_p95:.2f}x"
    )


if __name__ == "__main__":
    main()
