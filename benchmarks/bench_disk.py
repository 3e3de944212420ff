"""How far past its cap a fast writer gets before the disk watch stops it.

    DOCKER_HOST=... .venv/bin/python benchmarks/bench_disk.py [--runs 5] [--cap-mb 256]

One-shot runs of a loop that writes 200 MB files (each under the per-file limit)
until it is stopped, in the Debian test image, under the sandbox's limits with
the writable layer capped at ``--cap-mb``. Prints, per run, the layer's size when
the command had ended and how far that is past the cap. Not a test: the figure
depends on the disk and on the engine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess

from bot.sandbox.limits import Limits
from bot.sandbox.models import Owner
from bot.sandbox.sandbox import Sandbox

IMAGE = "layerlab-test/debian:bookworm"
WRITER = "i=0; while :; do head -c 200000000 /dev/zero > /tmp/f$i; i=$((i+1)); done"
MB = 1024 * 1024


async def main(runs: int, cap_mb: int) -> None:
    limits = Limits(timeout=60.0, file_size_bytes=256 * MB, writable_bytes=cap_mb * MB)
    sandbox = Sandbox(limits=limits, base_images=[IMAGE], default_image=IMAGE)
    owner = Owner(guild_id=1, user_id=1)
    try:
        image = await sandbox.policy.resolve(owner, IMAGE)
        past: list[float] = []
        for _ in range(runs):
            result = await sandbox.runner.run(owner, image, WRITER)
            assert result.disk_stopped and result.layer_size is not None
            past.append((result.layer_size - limits.writable_bytes) / MB)
            size = result.layer_size / MB
            print(f"layer {size:7.0f} MiB, {past[-1]:6.0f} MiB past the cap, {result.duration:.2f} s")
        median = statistics.median(past)
        print(f"median {median:.0f} MiB past a {cap_mb} MiB cap, max {max(past):.0f} (n={runs})")
    finally:
        await sandbox.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cap-mb", type=int, default=256)
    args = parser.parse_args()
    engine = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}} {{.Driver}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"engine {engine}")
    asyncio.run(main(args.runs, args.cap_mb))
