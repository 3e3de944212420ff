"""A class at once: N students send /diff together, on one or two lab engines.

    .venv/bin/python -m benchmarks.bench_class [--students 60] [--engines 1|2] [--pool 4] [--image NAME]

(from the repository's root, as root: it may start a second dockerd).

Bot: every student's /diff sent at the same moment through the local fake Discord
(real discord.py, real engines, real SQLite); each student's time runs from the
interaction to the result, queue included, and to the first answer (the
"thinking" one Discord needs within 3 s). The warm pool is ``--pool`` per engine
(``LAYERLAB_WARM_POOL``), filled before the class starts. With ``--engines 2`` a
second dockerd is started on this machine (as the tests do) and the students are
placed by the bot. CLI: the same work typed by N people at once, `docker run -d`,
`docker wait`, `docker diff`, `docker rm -f` per student, split over the same
engines. Prints the wall time of the whole class, each side's median and p95 per
student, the ratios, and the bot's peak memory (its maximum RSS).

Both engines here share one machine's 2 cores, so a second engine shows the cost
of spreading, not the gain of a second lab host. Not a test: numbers vary.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
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

    def cli(*args: str) -> str:
        return subprocess.run([*docker, *args], check=True, capture_output=True, text=True).stdout

    started = time.perf_counter()
    cli("run", "-d", "--network", "none", "--name", name, image, "/bin/sh", "-c", COMMAND)
    cli("wait", name)
    diff = cli("diff", name)
    cli("rm", "-f", name)
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


async def bot_class(
    image: str, students: int, urls: list[str], folder: Path, pool: int
) -> tuple[float, list[float], list[float]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database=folder / "bench.db",
        base_images=[image],
        default_image=image,
        docker_hosts=urls,
        warm_pool=pool,
    )
    fake = FakeDiscord()
    await fake.start()
    try:
        async with offline(settings, fake) as (built, session):
            for engine in built.fleet.engines:  # warm-up: each engine's client
                await engine.sandbox.policy.resolve(Owner(guild_id=1, user_id=1), image)
            for _ in range(600):  # the pools filled, as they are when a class starts
                if all(min(e.sandbox.warm.idle().values()) >= pool for e in built.fleet.engines):
                    break
                await asyncio.sleep(0.1)
            users = [FakeUser(id=300000000000000100 + i, name=f"student{i}") for i in range(students)]

            async def one(user: FakeUser) -> tuple[float, float]:
                started = time.monotonic()
                interaction = await session.command("diff", user=user, timeout=600)
                elapsed = time.monotonic() - started
                assert "A /tmp/testfile" in fake.messages[interaction.original_id or ""]["content"]
                return elapsed, interaction.responses[0].at - started

            started = time.monotonic()
            found = await asyncio.gather(*(one(u) for u in users))
            wall = time.monotonic() - started
            print(f"placement: {spread(built, fake.guild_id, users)}")
            return wall, [t for t, _ in found], [f for _, f in found]
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
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--pool", type=int, default=4, help="LAYERLAB_WARM_POOL")
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
            wall, times, first = asyncio.run(
                bot_class(args.image, args.students, urls, Path(folder), args.pool)
            )
    finally:
        if second is not None:
            second.remove()
    print(f"{args.students} students at once, {len(urls)} engine(s), image {args.image}, command {COMMAND!r}")
    cli_wall, cli_median, cli_p95 = summary("CLI (run -d, wait, diff, rm -f)", *cli)
    bot_wall, bot_median, bot_p95 = summary(f"/diff through the bot (pool {args.pool})", wall, times)
    print(
        f"first answer: at most {max(first) * 1000:.0f} ms, median {statistics.median(first) * 1000:.0f} ms"
    )
    print(
        f"ratio bot/CLI: class {bot_wall / cli_wall:.2f}x, median {bot_median / cli_median:.2f}x,"
        f" p95 {bot_p95 / cli_p95:.2f}x"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bot process: peak memory (max RSS) {peak:.0f} MB")


if __name__ == "__main__":
    main()
