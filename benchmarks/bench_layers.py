"""How long /layers takes to read a large image, and how much memory it needs,
against the plain docker CLI on the same engine.

    .venv/bin/python benchmarks/bench_layers.py [--runs 3] [--megabytes 600]
    DOCKER_HOST=$(scripts/engines.sh url 28-containerd) .venv/bin/python benchmarks/bench_layers.py

Builds (once, kept) ``layerlab-bench/large:<MB>``: the course's Debian image with
layers of random data (incompressible, so the containerd store's gzip blobs are
as large) in files of 50 MB, one layer overwriting and one deleting some of them.
Bot: the sandbox's ``Images.layers`` (``docker save`` streamed and listed, the A/C/D
and dive's figures computed), cache cleared each run. CLI: ``docker save IMAGE >
/dev/null``, the least any reading of the layers must do. Memory: the peak of
Python's allocations while reading (tracemalloc) and the growth of the process's
maximum resident set. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import resource
import statistics
import subprocess
import tarfile
import time
import tracemalloc

import docker

from bot.sandbox.limits import Limits
from bot.sandbox.models import ImageRef
from bot.sandbox.sandbox import Sandbox

BASE = "layerlab-test/debian:bookworm"


def dockerfile(megabytes: int) -> str:
    files = max(1, megabytes // 50)
    make = " && ".join(f"head -c 50M /dev/urandom > /data/f{i}" for i in range(files))
    return (
        f"FROM {BASE}\n"
        f"RUN mkdir /data && {make}\n"
        "RUN head -c 50M /dev/urandom > /data/f0\n"  # overwritten: 50 MB wasted twice over
        "RUN rm /data/f1\n"  # deleted: its 50 MB stay in the layer below
    )


def ensure_image(client: docker.DockerClient, megabytes: int) -> str:
    tag = f"layerlab-bench/large:{megabytes}"
    if client.images.list(name=tag):
        return tag
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        data = dockerfile(megabytes).encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    print(f"building {tag} ({megabytes} MB of random data)…", flush=True)
    for _ in client.api.build(fileobj=context, custom_context=True, tag=tag, rm=True):
        pass
    return tag


def cli_once(tag: str) -> float:
    started = time.perf_counter()
    with open("/dev/null", "wb") as sink:
        subprocess.run(["docker", "save", tag], check=True, stdout=sink)
    return time.perf_counter() - started


async def bot_once(box: Sandbox, tag: str) -> tuple[float, int, int]:
    box.images._layer_cache.clear()  # every run reads the image again
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    found = await box.images.layers(ImageRef(shown=tag, engine_ref=tag, own=False))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before  # KiB
    assert found.efficiency.wasted_bytes > 0
    return elapsed, peak, rss_growth * 1024


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=600)
    args = parser.parse_args()
    client = docker.from_env()
    tag = ensure_image(client, args.megabytes)
    size = client.images.get(tag).attrs.get("Size", 0)
    version = client.version()["Version"]
    box = Sandbox(limits=Limits(), base_images=(BASE, tag), default_image=BASE, image_quota=1)
    try:
        cli = [cli_once(tag) for _ in range(args.runs)]
        bot = [await bot_once(box, tag) for _ in range(args.runs)]
    finally:
        await box.close()
    bot_median = statistics.median(b[0] for b in bot)
    cli_median = statistics.median(cli)
    print(f"engine {version}, image {tag}, Size {size / 1e6:.0f} MB, {args.runs} runs")
    print(f"docker save > /dev/null   median {cli_median:.2f} s")
    print(f"/layers (streamed)        median {bot_median:.2f} s   ratio {bot_median / cli_median:.2f}")
    print(f"peak Python allocations   {max(b[1] for b in bot) / 1e6:.1f} MB")
    print(f"max RSS growth            {max(b[2] for b in bot) / 1e6:.1f} MB")


if __name__ == "__main__":
    asyncio.run(main())
