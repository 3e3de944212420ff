"""How long /diff takes, against the plain docker CLI on the same engine and image.

    .venv/bin/python benchmarks/bench_diff.py [--runs 20] [--image layerlab-test/debian:bookworm]
    DOCKER_HOST=$(scripts/engines.sh url 28-containerd) .venv/bin/python benchmarks/bench_diff.py

Bot: from the INTERACTION_CREATE leaving the local fake Discord to the bot having
posted its result (real discord.py, real engine, real SQLite), with the warm pool
on (``LAYERLAB_WARM_POOL``, default 4) and off (0). CLI: the same work typed by
hand, the sequence `/diff` stands for, each a process: `docker run -d`, `docker
wait`, `docker diff`, `docker rm -f`. Between two runs both wait ``--pause``
seconds, as a student reads the answer (the pool refills then); the three take
turns, so that a slower moment of the machine weighs on all of them. Prints
median and p95 of each and the ratios. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from bot.console import offline
from bot.settings import Settings
from fakediscord import FakeDiscord, FakeUser

COMMAND = "echo Hallo > /tmp/testfile"


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout


def cli_once(image: str) -> float:
    started = time.perf_counter()
    name = docker("run", "-d", "--network", "none", image, "/bin/sh", "-c", COMMAND).strip()
    docker("wait", name)
    diff = docker("diff", name)
    docker("rm", "-f", name)
    elapsed = time.perf_counter() - started
    assert "A /tmp/testfile" in diff
    return elapsed


class Bot:
    """A bot process's worth (real discord.py and SQLite) against its own fake Discord."""

    def __init__(self, image: str, folder: Path, pool: int) -> None:
        self.pool = pool
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database=folder / f"bench-{pool}.db",
            base_images=[image],
            default_image=image,
            warm_pool=pool,
        )
        self.fake = FakeDiscord()
        self.user = FakeUser(id=300000000000000001, name="bench")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Bot]:
        await self.fake.start()
        try:
            async with offline(self.settings, self.fake) as (built, session):
                self.session = session
                await session.command("diff", user=self.user)  # warm-up: client, storage-quota probe
                self.engine = built.fleet.engines[0].sandbox
                engine = self.engine
                for _ in range(100):  # the pool filled, as it is when a class starts
                    if all(n >= self.pool for n in engine.warm.idle().values()):
                        break
                    await asyncio.sleep(0.1)
                yield self
        finally:
            await self.fake.stop()

    async def once(self, *, pooled: bool) -> float:
        """One /diff; ``pooled`` False: the runner does not look at the pool (as with 0)."""
        self.engine.runner.warm = self.engine.warm if pooled else None
        started = time.perf_counter()
        interaction = await self.session.command("diff", user=self.user)
        elapsed = time.perf_counter() - started
        assert "A /tmp/testfile" in self.fake.messages[interaction.original_id or ""]["content"]
        return elapsed


async def interleaved(image: str, runs: int, pool: int, pause: float) -> dict[str, list[float]]:
    """The CLI, the bot with its pool and the bot without, one after the other in
    each round: a machine that slows down for a while slows all three alike."""
    times: dict[str, list[float]] = {"cli": [], "warm": [], "fresh": []}
    with tempfile.TemporaryDirectory() as folder:
        # One bot (offline mode points discord.py at one fake Discord per process),
        # its runner shown the pool or not in turn.
        async with Bot(image, Path(folder), pool).running() as bot:
            await asyncio.to_thread(cli_once, image)  # warm-up
            for _ in range(runs):
                times["cli"].append(await asyncio.to_thread(cli_once, image))
                await asyncio.sleep(pause)
                times["warm"].append(await bot.once(pooled=True))
                await asyncio.sleep(pause)
                times["fresh"].append(await bot.once(pooled=False))
                await asyncio.sleep(pause)
    return times


def summary(label: str, times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{label:<40} median {median * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   (n={len(times)})")
    return median, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--image", default="layerlab-test/debian:bookworm")
    parser.add_argument("--pool", type=int, default=4, help="LAYERLAB_WARM_POOL for the pooled runs")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between two runs")
    args = parser.parse_args()

    times = asyncio.run(interleaved(args.image, args.runs, args.pool, args.pause))
    cli, warm, fresh = times["cli"], times["warm"], times["fresh"]
    engine = docker("info", "--format", "{{.ServerVersion}} {{.Driver}}").strip()
    print(f"engine {engine} (DOCKER_HOST={os.environ.get('DOCKER_HOST', 'default')})")
    print(f"image {args.image}, command {COMMAND!r}, pause {args.pause} s")
    cli_median, cli_p95 = summary("docker run -d + wait + diff + rm -f (CLI)", cli)
    for label, found in ((f"/diff, warm pool {args.pool}", warm), ("/diff, pool off", fresh)):
        median, p95 = summary(label, found)
        print(f"  ratio to the CLI: median {median / cli_median:.2f}x, p95 {p95 / cli_p95:.2f}x")


if __name__ == "__main__":
    main()
