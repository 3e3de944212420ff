from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import docker
import pytest

from bot.sandbox.limits import Limits
from bot.sandbox.models import Owner
from bot.sandbox.sandbox import Sandbox
from tests.conftest import DEBIAN, TEST_IMAGES

#: Short limits, so that the hostile tests end quickly.
TEST_LIMITS = Limits(
    network="none",
    memory_bytes=128 * 1024 * 1024,
    cpus=1.0,
    pids=64,
    timeout=8.0,
    output_bytes=32 * 1024,
    file_size_bytes=16 * 1024 * 1024,
    writable_bytes=48 * 1024 * 1024,
)
OWNER = Owner(guild_id=11, user_id=21)
OTHER = Owner(guild_id=11, user_id=22)


def make_sandbox(**overrides: Any) -> Sandbox:
    options: dict[str, Any] = {
        "limits": TEST_LIMITS,
        "base_images": TEST_IMAGES,
        "default_image": DEBIAN,
        "image_quota": 3,
    }
    options.update(overrides)
    return Sandbox(**options)


WARM = {"label": "org.layerlab.purpose=warm"}
#: Runs a sandbox test twice: in fresh containers, and in warm ones (the pool filled first).
BOTH_WAYS = pytest.mark.parametrize("sandbox", ["fresh", "warm"], indirect=True)


async def filled(box: Sandbox, size: int = 1) -> None:
    """Start the pool and wait until each base image has ``size`` warm containers."""
    box.warm.start()
    for _ in range(300):
        if all(n >= size for n in box.warm.idle().values()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the warm pool did not fill: {box.warm.idle()}")


@pytest.fixture
async def sandbox(engine: docker.DockerClient, request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    warm = getattr(request, "param", "fresh") == "warm"
    before = {c.id for c in engine.containers.list(all=True, filters=WARM)}
    box = make_sandbox(warm_pool=1 if warm else 0)
    if warm:
        await filled(box)
    yield box
    await box.close()
    if warm:  # the pool emptied with the sandbox
        assert {c.id for c in engine.containers.list(all=True, filters=WARM)} <= before
    # Nothing a test made may stay behind.
    for owner in (OWNER, OTHER):
        for image in engine.images.list(filters={"label": f"org.layerlab.owner={owner.user_id}"}):
            for tag in image.tags:
                engine.images.remove(tag, force=True)
