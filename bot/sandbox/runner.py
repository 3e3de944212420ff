"""The one runner: every student command runs here, in a fresh container (one-shot)
or as an exec in a container that lives on (lab container; later the playground
and warm containers).

A run is: create under the limits (``host_config``), start with the output
attached, read the output up to its cap, end the command at its deadline or
when the output overflows, wait for the exit, inspect, and report a
``RunResult``. What differs between a fresh container and an exec is only how
the command is started, stopped and awaited: a ``Target`` (targets.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import docker.errors
from docker.types import LogConfig, Ulimit

from bot.errors import ShuttingDown, UserError
from bot.sandbox import labels
from bot.sandbox.client import EngineClient
from bot.sandbox.container_facts import changes, layer_row, layer_size, runs_more_than_its_first
from bot.sandbox.disk import DiskGuard
from bot.sandbox.helpers import Helpers
from bot.sandbox.limits import Limits
from bot.sandbox.models import ImageRef, Owner, RunResult
from bot.sandbox.policy import image_id
from bot.sandbox.targets import ExecTarget, FreshTarget, Target, WarmGone, WarmTarget

if TYPE_CHECKING:
    from bot.sandbox.warm import Warm, WarmPool

log = logging.getLogger(__name__)


#: Capabilities a student container keeps. Everything else is dropped. apt needs
#: these five (it drops to the ``_apt`` user and chowns its lists); without them
#: the seed's ``apt install`` exercise fails with "Method http has died".
KEPT_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID")
#: The engine's json log of one container is capped at this size (an output
#: flood would otherwise fill the host's disk through the log file).
LOG_MAX_SIZE = "1m"
#: Seconds the engine gets, beyond the job's own timeout, to report an exit.
WAIT_GRACE = 15.0
#: How often the writable layer is measured while a command runs. A container here
#: writes about 2 GB/s and one measurement takes 10-20 ms; a fast writer got about
#: 110 MiB past a 256 MiB cap at the median, 170 MiB at most (README). Every few
#: seconds a tick also measures the engine's free space (a helper: a few tenths of a second).
DISK_POLL = 0.25
#: What ends every process of a lab container but its first (the container stays),
#: run by a helper in the container's process namespace: kill(-1) spares only the
#: namespace's init and the caller.
KILL_ALL = ["/bin/sh", "-c", "kill -9 -1"]
#: Engine error texts that mean "this engine cannot cap a container's writable layer".
_NO_STORAGE_QUOTA = ("storage-opt", "storage opt", "pquota", "quota")


def host_config(
    limits: Limits, *, storage_quota: bool, capabilities: tuple[str, ...] = KEPT_CAPABILITIES
) -> dict[str, Any]:
    """Keyword arguments for ``containers.create`` that make the engine enforce ``limits``
    (``capabilities``: the few a container keeps, all others dropped)."""
    config: dict[str, Any] = {
        "network_mode": limits.network,
        "mem_limit": limits.memory_bytes,
        "memswap_limit": limits.memory_bytes,  # equal: no swap on top of memory
        "nano_cpus": int(limits.cpus * 1e9),
        "pids_limit": limits.pids,
        "privileged": False,
        "cap_drop": ["ALL"],
        "cap_add": list(capabilities),
        "security_opt": ["no-new-privileges:true"],
        "ulimits": [Ulimit(name="fsize", soft=limits.file_size_bytes, hard=limits.file_size_bytes)],
        "log_config": LogConfig(
            type=LogConfig.types.JSON, config={"max-size": LOG_MAX_SIZE, "max-file": "1"}
        ),
        "volumes": {},
    }
    if storage_quota:
        config["storage_opt"] = {"size": str(limits.writable_bytes)}
    return config


def read_capped(stream: Iterable[bytes], cap: int, on_overflow: Callable[[], None]) -> tuple[bytearray, bool]:
    """Read a container's output up to ``cap`` bytes; past it, call ``on_overflow``
    (which stops the command) and stop reading. Returns (output, truncated)."""
    output = bytearray()
    for chunk in stream:
        room = cap - len(output)
        if len(chunk) > room:
            output += chunk[:room]
            on_overflow()
            return output, True
        output += chunk
    return output, False


class Runner:
    """Runs student commands on one engine under ``limits``."""

    def __init__(
        self,
        client: EngineClient,
        limits: Limits,
        base_images: tuple[str, ...],
        disk: DiskGuard,
        helpers: Helpers,
    ) -> None:
        self.client = client
        self.limits = limits
        self.disk = disk
        self.helpers = helpers
        self._probe_images = base_images
        self._storage_quota: bool | None = None  # probed on first use
        # For a stop (SIGTERM): the stop functions of the commands running now, and
        # the one-shot containers this process made and has not removed yet.
        self._guard = threading.Lock()
        self._running: dict[int, Callable[[str], None]] = {}
        self._own: set[str] = set()
        self.closing = False
        #: Warm containers of the base images (set by the Sandbox; None: every run is fresh).
        self.warm: WarmPool | None = None

    # -- async API ------------------------------------------------------------------

    async def run(self, owner: Owner, image: ImageRef, command: str) -> RunResult:
        """``docker run`` + ``docker diff`` + ``docker rm`` in one go: in a warm
        container when one of that image is ready, else in a fresh one."""
        pool = self.warm
        warm = pool.take(image.engine_ref) if pool is not None else None
        if pool is None or warm is None:
            return await self.client.call(self._run_oneshot, owner, image, command)
        try:
            return await self.client.call(self._run_warm, owner, image, command, warm)
        except WarmGone:  # it died (an engine restart ends every container): its siblings too?
            log.info("Warm container %s no longer runs: a fresh one runs the command", warm.id[:12])
            pool.recheck()
            return await self.client.call(self._run_oneshot, owner, image, command)
        finally:
            pool.used(warm)  # removed in the background: never used again

    async def interrupt(self) -> int:
        """The bot is stopping: no new container, and every command running now ended
        (a one-shot's container killed, a lab command's processes ended; the lab
        container stays). Their results come back marked ``interrupted``. Returns how
        many were running."""
        self.closing = True
        with self._guard:
            stops = list(self._running.values())
        await asyncio.gather(*(self.client.call(stop, "shutdown") for stop in stops))
        return len(stops)

    async def remove_own(self) -> int:
        """Remove the one-shot containers this process made that are still there."""
        with self._guard:
            own = list(self._own)
        for container_id in own:
            await self.client.call(self.remove, container_id)
        return len(own)

    # -- on the worker threads --------------------------------------------------------

    def storage_quota(self) -> bool:
        """Whether this engine can cap a container's writable layer (overlay2 on XFS
        with project quotas); probed once with a throwaway container."""
        if self._storage_quota is None:
            api = self.client.api
            probe_image = next((b for b in self._probe_images if image_id(api, b)), None)
            if probe_image is None:
                return False
            try:
                created = api.create_container(
                    probe_image,
                    command=["true"],
                    host_config=api.create_host_config(storage_opt={"size": "64M"}),
                    labels=labels.helper_labels(),
                )
            except docker.errors.APIError as exc:
                self._storage_quota = False
                if not any(word in str(exc).lower() for word in _NO_STORAGE_QUOTA):
                    log.warning("Unexpected answer to the storage quota probe: %s", exc)
            else:
                api.remove_container(created["Id"], force=True)
                self._storage_quota = True
            log.info("Engine %s caps the writable layer: %s", self.client.name, self._storage_quota)
        return self._storage_quota

    def create(
        self,
        image: str,
        command: list[str],
        container_labels: dict[str, str],
        *,
        keep: bool = False,
        user: str | None = None,
        capabilities: tuple[str, ...] = KEPT_CAPABILITIES,
        working_dir: str | None = None,
    ) -> str:
        """A container under the limits; returns its id. ``keep`` leaves its shell
        waiting on an open stdin (a lab container) instead of running ``command`` once.
        ``user``, ``capabilities``, ``working_dir``: the playground's own shape.
        Refused while the lab host's disk is below its floor, and once the bot is stopping."""
        if self.closing:
            raise ShuttingDown()
        self.disk.refuse_if_low()
        container = self.client.sdk.containers.create(
            image,
            command=command,
            labels=container_labels,
            detach=True,
            stdin_open=keep,
            # A terminal, as the seed's `docker run -it`: stdout and stderr share
            # it, so they arrive in the order written, formatted as a student's
            # terminal shows them (render.terminal cleans up \r and colours).
            tty=True,
            user=user,
            working_dir=working_dir,
            **host_config(self.limits, storage_quota=self.storage_quota(), capabilities=capabilities),
        )
        if not keep:
            with self._guard:
                self._own.add(str(container.id))
        return str(container.id)

    def remove(self, container_id: str | None) -> None:
        if container_id is None:
            return
        try:
            self.client.api.remove_container(container_id, force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            log.warning("Could not remove container %s: %s", container_id, exc)
            return
        with self._guard:
            self._own.discard(container_id)

    def run_created(self, container_id: str, image: ImageRef, command: str) -> RunResult:
        """Start a created container (its command is ``command``), then diff it."""
        result = self.execute(FreshTarget(self.client.api, container_id), container_id, image.shown, command)
        return replace(result, changes=changes(self.client.api, container_id))

    def run_exec(
        self, container_id: str, image: str, name: str, command: str, argv: list[str] | None = None
    ) -> RunResult:
        """``command`` as a ``docker exec`` in a running container (``image`` and
        ``name`` as the student knows them, for the result; ``argv``: what is really
        executed, when it is not ``sh -c command``)."""
        if self.closing:
            raise ShuttingDown()
        self.disk.refuse_if_low()
        target = ExecTarget(
            self.client.api, container_id, argv or ["/bin/sh", "-c", command], lambda: self.reap(container_id)
        )
        result = self.execute(target, container_id, image, command, name=name)
        # Nothing of a command runs on after it: a process left in the background
        # (`nohup … &`) would write on, unwatched, and outlive every limit.
        with contextlib.suppress(docker.errors.APIError):
            if runs_more_than_its_first(self.client.api, container_id):
                self.reap(container_id)
        return result

    def reap(self, container_id: str) -> None:
        """End every process of a running container but its first, whatever its user.
        From a helper with CAP_KILL in the container's process namespace: a kill from
        inside could not reach another uid's processes (the student keeps SETUID) and
        would run the student's own shell."""
        try:
            self.helpers.run(KILL_ALL, binds={}, pid_mode=f"container:{container_id}", capabilities=("KILL",))
        except (docker.errors.APIError, UserError):  # not running any more: nothing to end
            log.warning("Could not end the processes of %s", container_id, exc_info=True)

    def execute(
        self, target: Target, container_id: str, image: str, command: str, *, name: str | None = None
    ) -> RunResult:
        """Run ``target`` under the limits: output capped, deadline kept, result inspected."""
        api = self.client.api
        limits = self.limits
        stopped_for: list[str] = []

        def stop(reason: str) -> None:
            if finished.is_set():  # a watch that woke late: this command is over
                return
            if not stopped_for:
                stopped_for.append(reason)
            target.stop()

        started, since = time.monotonic(), int(time.time()) - 1
        finished = threading.Event()
        timer = threading.Timer(limits.timeout, stop, args=("timeout",))
        timer.daemon = True

        def watch_disk() -> None:
            # The engine caps the layer only on overlay2 over xfs with pquota: elsewhere
            # (most hosts) this is what keeps one student from filling the lab host's disk.
            while not finished.wait(DISK_POLL):
                try:
                    size = layer_size(api, container_id)
                except Exception:  # a busy engine: measure again at the next tick
                    log.debug("Could not measure the writable layer of %s", container_id, exc_info=True)
                    continue
                if size is not None and size > limits.writable_bytes:
                    stop("disk")
                    return
                if self.disk.low():  # the whole lab host's disk: nobody may write more
                    stop("disk_low")
                    return

        watcher = threading.Thread(target=watch_disk, name="disk-watch", daemon=True)
        key = id(target)
        with self._guard:
            self._running[key] = stop
        try:
            stream = target.start()
            # Past the deadline and the grace, the output is no longer waited for, even
            # if the engine never ends it (closing the socket ends the read).
            cutoff = threading.Timer(limits.timeout + WAIT_GRACE, stream.close)
            cutoff.daemon = True
            timer.start()
            cutoff.start()
            watcher.start()
            try:
                output, truncated = read_capped(stream, limits.output_bytes, lambda: stop("output"))
            finally:
                cutoff.cancel()
                stream.close()
            exit_code = target.wait(started + limits.timeout + WAIT_GRACE - time.monotonic())
            if exit_code is None:  # it outlived its deadline and the grace
                stop("timeout")
                exit_code = target.wait(WAIT_GRACE)
        finally:
            timer.cancel()
            finished.set()
            with self._guard:
                self._running.pop(key, None)
        duration = time.monotonic() - started
        exit_code = exit_code if exit_code is not None else 137
        row = layer_row(api, container_id)  # its size and name in one call
        size = int(row.get("SizeRw") or 0) if row is not None else None
        names = (row or {}).get("Names") or [container_id[:12]]
        return RunResult(
            image=image,
            command=command,
            container_name=name or str(names[0]).lstrip("/"),
            exit_code=exit_code,
            output=bytes(output),
            duration=duration,
            output_truncated=truncated,
            timed_out="timeout" in stopped_for,
            disk_stopped="disk" in stopped_for,
            disk_low="disk_low" in stopped_for,
            interrupted="shutdown" in stopped_for,
            oom_killed=exit_code == 137 and not stopped_for and target.oom_killed(since),
            layer_size=size,
            layer_too_big=size is not None and size > limits.writable_bytes,
        )

    def _run_warm(self, owner: Owner, image: ImageRef, command: str, warm: Warm) -> RunResult:
        """The command as an exec in a warm container of ``image`` (see warm.py)."""
        if self.closing:
            raise ShuttingDown()
        self.disk.refuse_if_low()
        api = self.client.api
        if image_id(api, image.engine_ref) != warm.image_id:  # the tag moved since it was made
            return self._run_oneshot(owner, image, command)
        target = WarmTarget(api, warm.id, ["/bin/sh", "-c", command])
        result = self.execute(target, warm.id, image.shown, command)
        # In a fresh container the command is the first process: when it ends, the
        # kernel ends everything it left running. Here the idle shell is the first
        # process, so what is left is ended the same way (the container killed)
        # before the diff. (Not beside it: the engine takes a container's lock for
        # both, so a top next to a diff waits for it.)
        with contextlib.suppress(docker.errors.APIError):
            if runs_more_than_its_first(api, warm.id):
                api.kill(warm.id)
                api.wait(warm.id, timeout=WAIT_GRACE)
        return replace(result, changes=changes(api, warm.id))

    def _run_oneshot(self, owner: Owner, image: ImageRef, command: str) -> RunResult:
        container_id = None
        try:
            container_id = self.create(
                image.engine_ref, ["/bin/sh", "-c", command], labels.labels(owner, labels.PURPOSE_ONESHOT)
            )
            return self.run_created(container_id, image, command)
        finally:
            self.remove(container_id)
