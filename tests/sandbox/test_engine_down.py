"""An engine that goes away: a clear error, and recovery without a restart."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import docker
import pytest

from bot.errors import EngineUnavailable
from tests.conftest import BUSYBOX
from tests.sandbox.conftest import OWNER, make_sandbox

ENGINE_SOCKET = "/var/run/docker.sock"


class SocketProxy:
    """A unix-socket relay to the real engine that the test can switch off and on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.server: asyncio.AbstractServer | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_unix_connection(ENGINE_SOCKET)
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)

    async def start(self) -> None:
        self.server = await asyncio.start_unix_server(self._relay, path=str(self.path))

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()
        self.path.unlink(missing_ok=True)


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
            await sandbox.resolve(OWNER, BUSYBOX)
    finally:
        await sandbox.close()


async def test_engine_goes_down_and_comes_back(proxy: SocketProxy) -> None:
    sandbox = make_sandbox(docker_host=f"unix://{proxy.path}")
    try:
        image = await sandbox.resolve(OWNER, BUSYBOX)
        assert (await sandbox.run(OWNER, image, "echo up")).exit_code == 0
        await proxy.stop()
        with pytest.raises(EngineUnavailable):
            await sandbox.resolve(OWNER, BUSYBOX)
        await proxy.start()
        result = await sandbox.run(OWNER, await sandbox.resolve(OWNER, BUSYBOX), "echo back")
        assert result.exit_code == 0
    finally:
        await sandbox.close()
