"""One engine's connection: the docker SDK client, the thread pool its blocking
calls run on, and whether the engine answered last time.

Every other sandbox module reaches the engine through ``EngineClient``:
``await client.call(fn, ...)`` runs ``fn`` on the engine's worker threads, and a
connection failure there marks the engine down and becomes ``EngineUnavailable``.
``fn`` itself uses ``client.api`` (the low-level SDK), which is only to be used
on those threads.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

import docker
import docker.errors
import requests.exceptions

from bot.errors import EngineUnavailable, NetworkMissing
from bot.sandbox.models import DEFAULT_DOCKER_HOST, EngineState

log = logging.getLogger(__name__)

T = TypeVar("T")

#: HTTP timeout of one Engine API call (a commit or a diff of a big image is slow).
API_TIMEOUT = 180
#: Seconds a health probe waits for an engine (a dead TCP host must not hold it up).
PROBE_TIMEOUT = 5
#: How the engine says a container's network does not exist.
_MISSING_NETWORK = re.compile(r"network (\S+) not found")


def parse_time(value: str | int | float) -> datetime:
    """An Engine API time (RFC 3339 with nanoseconds, or Unix seconds) in UTC."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    # Engine timestamps carry nanoseconds; Python parses microseconds.
    text = value.rstrip("Z")
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6]}"
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def engine_name(url: str) -> str:
    """How an engine is named to people: its host (and port) or socket path, no user."""
    scheme, _, rest = url.partition("://")
    if scheme in ("unix", "npipe"):
        return rest or url
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return host or url


class EngineClient:
    """The connection to one Docker engine, shared by that engine's sandbox modules."""

    def __init__(self, docker_host: str | None = None, *, workers: int = 8) -> None:
        self.url = docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST
        #: What the last contact with the engine said (a call or a probe).
        self.up = True
        self._workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docker")
        # Probes get their own thread and client: calls hanging on a dead engine
        # must not keep its health check from answering.
        self._probe_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docker-probe")
        self._client: docker.DockerClient | None = None
        self._client_lock = threading.Lock()

    @property
    def name(self) -> str:
        return engine_name(self.url)

    # -- on the worker threads --------------------------------------------------------

    @property
    def sdk(self) -> docker.DockerClient:
        """The SDK client (connected on first use). Worker threads only."""
        with self._client_lock:
            if self._client is None:
                # Twice the workers: each running command also has its disk watch.
                self._client = self._connect(API_TIMEOUT, 2 * self._workers)
            return self._client

    @property
    def api(self) -> Any:
        """The SDK's low-level ``APIClient``. Worker threads only."""
        return self.sdk.api

    def _connect(self, timeout: float, pool: int) -> docker.DockerClient:
        # TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) come from the environment.
        environment = {**os.environ, "DOCKER_HOST": self.url}
        try:
            return docker.from_env(environment=environment, max_pool_size=pool, timeout=timeout)
        except docker.errors.DockerException as exc:
            self._saw(up=False)
            log.warning("Docker engine %s unreachable: %s", self.name, exc)
            raise EngineUnavailable(engine=self.name) from exc

    def _saw(self, *, up: bool) -> None:
        if up != self.up:
            log.warning("Docker engine %s is %s", self.name, "back" if up else "down")
        self.up = up

    def _forget_client(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            result = fn(*args)
        except (requests.exceptions.ConnectionError, ConnectionError) as exc:
            log.warning("Docker engine %s connection failed: %s", self.name, exc)
            self._saw(up=False)
            self._forget_client()
            raise EngineUnavailable(engine=self.name) from exc
        except docker.errors.NotFound as exc:
            missing = _MISSING_NETWORK.search(str(exc.explanation or exc))
            if missing is None:
                raise
            # LAYERLAB_SANDBOX_NETWORK names a network the engine does not have (20.10 and
            # 28 both say "network NAME not found" when the container starts).
            log.error("Docker engine %s has no network %r (LAYERLAB_SANDBOX_NETWORK)", self.name, missing[1])
            raise NetworkMissing(network=missing[1]) from exc
        self._saw(up=True)
        return result

    def _probe(self) -> EngineState:
        try:
            client = self._connect(PROBE_TIMEOUT, 1)
        except EngineUnavailable:
            return EngineState(up=False)
        try:
            info = client.api.info()
        except (requests.exceptions.RequestException, ConnectionError, docker.errors.DockerException) as exc:
            self._saw(up=False)
            log.warning("Docker engine %s does not answer a probe: %s", self.name, exc)
            return EngineState(up=False)
        finally:
            client.close()
        self._saw(up=True)
        return EngineState(
            up=True,
            version=str(info.get("ServerVersion", "")),
            containers_running=int(info.get("ContainersRunning") or 0),
        )

    # -- from the event loop ------------------------------------------------------------

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on a worker thread; a lost connection is ``EngineUnavailable``."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._guarded, fn, *args))

    async def probe(self) -> EngineState:
        """Whether the engine answers now (within ``PROBE_TIMEOUT``), and its load."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._probe_executor, self._probe)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._probe_executor.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self._forget_client)
