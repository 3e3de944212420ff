"""How long /diff takes, against the plain docker CLI on the same engine and image.

    .venv/bin/python benchmarks/bench_diff.py [--runs 20] [--image layerlab-test/debian:bookworm]
    DOCKER_HOST=$(scripts/engines.sh url 28-containerd) .venv/bin/python benchmarks/bench_diff.py

Bot: from the INTERACTION_CREATE leaving the local fake Discord to the bot having
posted its result (real discord.py, real engine, real SQLite). CLI: the same
work typed by hand, `docker run` + `docker diff` + `docker rm`, each a process.
Prints median and p95 of both and their ratio. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bot.console import offline
from bot.settings import Settings
from fakediscord import FakeDiscord, FakeUser

COMMAND = "echo Hallo > /tmp/testfile"


def cli_once(image: str, name: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["docker", "run", "--name", name, image, "/bin/sh", "-c", COMMAND], check=True, capture_output=True
    )
    diff = subprocess.run(["docker", "diff", name], check=True, capture_output=True, text=True).stdout
    subprocess.run(["docker", "rm", name], check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    assert "A /tmp/testfile" in diff
    return elapsed


async def bot_runs(image: str, runs: int, folder: Path) -> list[float]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database=folder / "bench.db",
        base_images=[image],
        default_image=image,
    )
    fake = FakeDiscord()
    await fake.start()
    times: list[float] = []
    try:
        async with offline(settings, fake) as (_, session):
            user = FakeUser(id=300000000000000001, name="bench")
            await session.command("diff", user=user)  # warm-up: client, storage-quota probe
            for _ in range(runs):
                started = time.perf_counter()
                interaction = await session.command("diff", user=user)
                times.append(time.perf_counter() - started)
                message = fake.messages[interaction.original_id or ""]
                assert "A /tmp/testfile" in message["content"]
    finally:
        await fake.stop()
    return times


def summary(label: str, times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{label:<34} median {median * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   (n={len(times)})")
    return median, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--image", default="layerlab-test/debian:bookworm")
    args = parser.parse_args()

    cli_once(args.image, "layerlab-bench-warmup")
    cli = [cli_once(args.image, f"layerlab-bench-{i}") for i in range(args.runs)]
    with tempfile.TemporaryDirectory() as folder:
        bot = asyncio.run(bot_runs(args.image, args.runs, Path(folder)))
    engine = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}} {{.Driver}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"engine {engine} (DOCKER_HOST={os.environ.get('DOCKER_HOST', 'default')})")
    print(f"image {args.image}, command {COMMAND!r}")
    cli_median, cli_p95 = summary("docker run + diff + rm (CLI)", cli)
    bot_median, bot_p95 = summary("/diff (interaction to result)", bot)
    print(f"ratio bot/CLI: median {bot_median / cli_median:.2f}x, p95 {bot_p95 / cli_p95:.2f}x")


if __name__ == "__main__":
    main()
