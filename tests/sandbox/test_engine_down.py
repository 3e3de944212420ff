"""An engine that goes away: a clear error, and recovery without a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import docker
import pytest

from bot.errors import EngineUnavailable
from tests.conftest import BUSYBOX
from tests.sandbox.conftest import OWNER, make_sandbox
from tests.support.proxy import SocketProxy


@pytest.fixture
async def proxy(tmp_path: Path, engine: docker.DockerClient) -> AsyncIterator[SocketProxy]:
    relay = SocketProxy(tmp_path / "engine.sock")
    await relay.start()
    yield relay
    if relay.server is not None and relay.server.is_serving():
        await relay.stop()


async def test_unreachable_engine_is_a_clear_error(tmp_path: Path) -> None:
    sandbox = make_sandbox(docker_host=f"unix://{tmp_path}/nothing.sock")
    try:
        with pytest.raises(EngineUnavailable):
            await sandbox.policy.resolve(OWNER, BUSYBOX)
    finally:
        await sandbox.close()


async def test_engine_goes_down_and_comes_back(proxy: SocketProxy) -> None:
    sandbox = make_sandbox(docker_host=f"unix://{proxy.path}")
    try:
        image = await sandbox.policy.resolve(OWNER, BUSYBOX)
        assert (await sandbox.runner.run(OWNER, image, "echo up")).exit_code == 0
        await proxy.stop()
        with pytest.raises(EngineUnavailable):
            await sandbox.policy.resolve(OWNER, BUSYBOX)
        await proxy.start()
        result = await sandbox.runner.run(OWNER, await sandbox.policy.resolve(OWNER, BUSYBOX), "echo back")
        assert result.exit_code == 0
    finally:
        await sandbox.close()
