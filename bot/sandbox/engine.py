"""Short-lived student containers on a real Docker engine."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

import docker
import docker.errors
import requests.exceptions
from docker.models.containers import Container

from bot.errors import (
    BadName,
    EngineUnavailable,
    ImageNotAllowed,
    ImageNotPresent,
    NotFound,
    QuotaExceeded,
    UserError,
)
from bot.sandbox import refs
from bot.sandbox.limits import Limits
from bot.sandbox.models import (
    Change,
    ChangeKind,
    CommitResult,
    EngineInfo,
    EngineState,
    HistoryEntry,
    ImageDetails,
    ImageRef,
    ImagesOverview,
    ImageSummary,
    Owner,
    RemoveResult,
    RunResult,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

LABEL_PREFIX = "org.layerlab."
LABEL_OWNER = LABEL_PREFIX + "owner"
LABEL_GUILD = LABEL_PREFIX + "guild"
LABEL_PURPOSE = LABEL_PREFIX + "purpose"
LABEL_CREATED = LABEL_PREFIX + "created"
LABEL_NAME = LABEL_PREFIX + "name"

PURPOSE_ONESHOT = "oneshot"
PURPOSE_IMAGE = "image"

#: Seconds the engine gets, beyond the job's own timeout, to report an exit.
WAIT_GRACE = 15.0
#: HTTP timeout of one Engine API call (a commit or a diff of a big image is slow).
API_TIMEOUT = 180
#: A one-shot container older than its timeout plus this is a leftover: no bot
#: process is still waiting for it (each kills its own at the deadline).
STALE_MARGIN = WAIT_GRACE + 30.0
#: Seconds a health probe waits for an engine (a dead TCP host must not hold it up).
PROBE_TIMEOUT = 5
#: Where the docker SDK looks when DOCKER_HOST is not set.
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
#: Engine error texts that mean "this engine cannot cap a container's writable layer".
_NO_STORAGE_QUOTA = ("storage-opt", "storage opt", "pquota", "quota")


def _now() -> datetime:
    return datetime.now(UTC)


def _parse_time(value: str | int | float) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    # Engine timestamps carry nanoseconds; Python parses microseconds.
    text = value.rstrip("Z")
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6]}"
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def image_store(info: dict[str, Any]) -> str:
    """ "containerd" when the engine keeps images in the containerd image store
    (Docker 29+ on fresh installs: no overlay2 layerdb), else "classic"."""
    status = [str(value) for _, value in info.get("DriverStatus") or ()]
    snapshotter = any("io.containerd.snapshotter" in value for value in status)
    return "containerd" if snapshotter or info.get("Driver") in ("overlayfs", "stargz") else "classic"


def engine_name(url: str) -> str:
    """How an engine is named to people: its host (and port) or socket path, no user."""
    scheme, _, rest = url.partition("://")
    if scheme in ("unix", "npipe"):
        return rest or url
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return host or url


def read_capped(stream: Iterable[bytes], cap: int, on_overflow: Callable[[], None]) -> tuple[bytearray, bool]:
    """Read a container's output up to ``cap`` bytes; past it, call ``on_overflow``
    (which stops the container) and stop reading. Returns (output, truncated)."""
    output = bytearray()
    for chunk in stream:
        room = cap - len(output)
        if len(chunk) > room:
            output += chunk[:room]
            on_overflow()
            return output, True
        output += chunk
    return output, False


class Sandbox:
    """Runs student commands in containers, and reads images, on one engine."""

    def __init__(
        self,
        *,
        limits: Limits,
        base_images: Sequence[str],
        default_image: str,
        image_quota: int = 5,
        docker_host: str | None = None,
        workers: int = 8,
    ) -> None:
        self.limits = limits
        self.base_images = tuple(dict.fromkeys(refs.normalize(i) for i in base_images))
        self.default_image = refs.normalize(default_image)
        self.image_quota = image_quota
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
        self._storage_quota: bool | None = None  # probed on first use

    @property
    def name(self) -> str:
        return engine_name(self.url)

    # -- plumbing ----------------------------------------------------------

    def _connect(self, timeout: float, pool: int) -> docker.DockerClient:
        # TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) come from the environment.
        environment = {**os.environ, "DOCKER_HOST": self.url}
        try:
            return docker.from_env(environment=environment, max_pool_size=pool, timeout=timeout)
        except docker.errors.DockerException as exc:
            self._saw(up=False)
            log.warning("Docker engine %s unreachable: %s", self.name, exc)
            raise EngineUnavailable(engine=self.name) from exc

    def _docker(self) -> docker.DockerClient:
        with self._client_lock:
            if self._client is None:
                self._client = self._connect(API_TIMEOUT, self._workers)
            return self._client

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
        self._saw(up=True)
        return result

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._guarded, fn, *args))

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._probe_executor.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self._forget_client)

    @staticmethod
    def labels(owner: Owner, purpose: str, **extra: str) -> dict[str, str]:
        return {
            LABEL_OWNER: str(owner.user_id),
            LABEL_GUILD: str(owner.guild_id),
            LABEL_PURPOSE: purpose,
            LABEL_CREATED: _now().isoformat(timespec="seconds"),
            **extra,
        }

    @staticmethod
    def _owner_filter(owner: Owner, purpose: str | None = None) -> dict[str, list[str]]:
        labels = [f"{LABEL_OWNER}={owner.user_id}", f"{LABEL_GUILD}={owner.guild_id}"]
        if purpose:
            labels.append(f"{LABEL_PURPOSE}={purpose}")
        return {"label": labels}

    # -- public API ----------------------------------------------------------

    async def prepare_image(self, ref: str, progress: Callable[[int, int], None]) -> bool:
        """Make sure a base image is on the engine, pulling it if missing (an operator's
        command: the only way the bot ever pulls). ``progress(done, total)`` gets bytes
        downloaded so far. Returns True when it pulled, False when it was there."""
        return await self._call(self._prepare_image, ref, progress)

    async def probe(self) -> EngineState:
        """Whether the engine answers now (within ``PROBE_TIMEOUT``), and its load."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._probe_executor, self._probe)

    async def owns_anything(self, owner: Owner) -> bool:
        """Whether this student has a container or an image of their own here."""
        return await self._call(self._owns_anything, owner)

    async def describe(self) -> dict[str, Any]:
        """What `layerlab doctor` reports about the engine."""
        return await self._call(self._describe)

    async def resolve(self, owner: Owner, text: str | None) -> ImageRef:
        """What image ``text`` means for this student; refuses what is not on offer."""
        return await self._call(self._resolve, owner, text or self.default_image)

    async def run(self, owner: Owner, image: ImageRef, command: str) -> RunResult:
        """``docker run`` + ``docker diff`` + ``docker rm`` in one go."""
        return await self._call(self._run_oneshot, owner, image, command)

    async def history(self, image: ImageRef) -> tuple[HistoryEntry, ...]:
        return await self._call(self._history, image.engine_ref)

    async def commit(self, owner: Owner, name: str, image: ImageRef, command: str) -> CommitResult:
        own = refs.parse_own_name(name)
        self._refuse_base_name(own)
        return await self._call(self._commit, owner, own, image, command)

    async def images(self, owner: Owner) -> ImagesOverview:
        return await self._call(self._images, owner)

    async def remove_image(self, owner: Owner, name: str) -> RemoveResult:
        own = refs.parse_own_name(name)
        return await self._call(self._remove_image, owner, own)

    async def inspect_image(self, image: ImageRef) -> ImageDetails:
        return await self._call(self._inspect_image, image.engine_ref)

    async def layers_over_base(self, image: ImageRef) -> int:
        """How many layers ``image`` has on top of the base image it was made from."""
        return await self._call(self._layers_over_base, image.engine_ref)

    async def remove_all_images(self, owner: Owner) -> int:
        """Remove every image this student owns in this course server (privacy)."""
        return await self._call(self._remove_all_images, owner)

    async def info(self, owner: Owner) -> EngineInfo:
        return await self._call(self._info, owner)

    async def remove_leftovers(self, *, older_than: float | None = None) -> int:
        """Remove one-shot containers a crash left behind; returns how many.

        Only those older than any live job can be (``older_than``, default the
        timeout plus a margin): another bot process on the same engine may be
        running the younger ones right now.
        """
        if older_than is None:
            older_than = self.limits.timeout + STALE_MARGIN
        return await self._call(self._remove_leftovers, older_than)

    # -- implementation (runs on the worker threads) ------------------------------

    def _refuse_base_name(self, own: refs.OwnName) -> None:
        base_repositories = {refs.parse(b).repository for b in self.base_images}
        if own.name in base_repositories:
            raise BadName("name.is_base", name=own.name)

    def _image_exists(self, ref: str) -> str | None:
        try:
            image = self._docker().api.inspect_image(ref)
        except docker.errors.ImageNotFound:
            return None
        return str(image["Id"])

    def _resolve(self, owner: Owner, text: str) -> ImageRef:
        ref = refs.parse(text)
        if "/" not in ref.repository and ref.digest is None and ref.tag is not None:
            try:
                own = refs.parse_own_name(f"{ref.repository}:{ref.tag}")
            except BadName:
                own = None
            if own is not None and self._image_exists(own.engine_ref(owner)):
                return ImageRef(shown=str(own), engine_ref=own.engine_ref(owner), own=True)
        shown = str(ref)
        if shown not in self.base_images:
            raise ImageNotAllowed(image=shown, offered=", ".join(self.base_images))
        if not self._image_exists(shown):
            raise ImageNotPresent(image=shown)
        return ImageRef(shown=shown, engine_ref=shown, own=False)

    def _probe_storage_quota(self) -> bool:
        if self._storage_quota is None:
            api = self._docker().api
            probe_image = next((b for b in self.base_images if self._image_exists(b)), None)
            if probe_image is None:
                return False
            try:
                created = api.create_container(
                    probe_image,
                    command=["true"],
                    host_config=api.create_host_config(storage_opt={"size": "64M"}),
                    labels={LABEL_PURPOSE: PURPOSE_ONESHOT, LABEL_CREATED: _now().isoformat()},
                )
            except docker.errors.APIError as exc:
                text = str(exc).lower()
                self._storage_quota = False
                if not any(word in text for word in _NO_STORAGE_QUOTA):
                    log.warning("Unexpected answer to the storage quota probe: %s", exc)
            else:
                api.remove_container(created["Id"], force=True)
                self._storage_quota = True
            log.info("Engine caps the writable layer: %s", self._storage_quota)
        return self._storage_quota

    def _create(
        self, image: str, command: list[str], labels: dict[str, str], *, stdin_open: bool = False
    ) -> Container:
        """A container under the limits. ``stdin_open`` keeps a shell waiting (lab containers)."""
        quota = self._probe_storage_quota()
        return self._docker().containers.create(
            image,
            command=command,
            labels=labels,
            detach=True,
            stdin_open=stdin_open,
            # A terminal, as the seed's `docker run -it`: stdout and stderr share
            # it, so they arrive in the order written, formatted as a student's
            # terminal shows them (render.terminal cleans up \r and colours).
            tty=True,
            **self.limits.host_config(storage_quota=quota),
        )

    def _execute(self, container: Container, command: str, image: ImageRef) -> RunResult:
        """Start a created container, collect output under the limits, then diff it."""
        api = self._docker().api
        limits = self.limits
        stopped_for: list[str] = []

        def kill(reason: str) -> None:
            if not stopped_for:
                stopped_for.append(reason)
            with contextlib.suppress(docker.errors.APIError):  # already gone
                api.kill(container.id)

        started = time.monotonic()
        timer = threading.Timer(limits.timeout, kill, args=("timeout",))
        timer.daemon = True
        try:
            # Attach before start, as `docker run` does, so nothing is missed.
            stream = api.attach(container.id, stdout=True, stderr=True, stream=True, logs=True)
            container.start()
            timer.start()
            try:
                output, truncated = read_capped(stream, limits.output_bytes, lambda: kill("output"))
            finally:
                stream.close()
            exit_code = self._wait(container, started + limits.timeout + WAIT_GRACE - time.monotonic(), kill)
        finally:
            timer.cancel()
        duration = time.monotonic() - started
        state = api.inspect_container(container.id)["State"]
        changes = tuple(
            Change(kind=ChangeKind(c["Kind"]), path=c["Path"]) for c in (api.diff(container.id) or ())
        )
        layer_size = self._layer_size(container.id)
        return RunResult(
            image=image.shown,
            command=command,
            container_name=container.name or container.id[:12],
            exit_code=exit_code,
            output=bytes(output),
            duration=duration,
            changes=changes,
            output_truncated=truncated,
            timed_out="timeout" in stopped_for,
            oom_killed=bool(state.get("OOMKilled")),
            layer_size=layer_size,
            layer_too_big=layer_size is not None and layer_size > limits.writable_bytes,
        )

    def _wait(self, container: Container, remaining: float, kill: Callable[[str], None]) -> int:
        api = self._docker().api
        try:
            return int(api.wait(container.id, timeout=max(1.0, remaining))["StatusCode"])
        except (requests.exceptions.ConnectionError, requests.exceptions.ReadTimeout):
            # Over the unix socket a wait that times out surfaces as ConnectionError.
            kill("timeout")
            return int(api.wait(container.id, timeout=WAIT_GRACE)["StatusCode"])

    def _layer_size(self, container_id: str) -> int | None:
        rows = self._docker().api.containers(all=True, size=True, filters={"id": container_id})
        return int(rows[0].get("SizeRw") or 0) if rows else None

    def _remove(self, container: Container | None) -> None:
        if container is None:
            return
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            log.warning("Could not remove container %s: %s", container.id, exc)

    def _run_oneshot(self, owner: Owner, image: ImageRef, command: str) -> RunResult:
        container = None
        try:
            container = self._create(
                image.engine_ref, ["/bin/sh", "-c", command], self.labels(owner, PURPOSE_ONESHOT)
            )
            return self._execute(container, command, image)
        finally:
            self._remove(container)

    def _history(self, engine_ref: str) -> tuple[HistoryEntry, ...]:
        try:
            rows = self._docker().api.history(engine_ref)
        except docker.errors.ImageNotFound as exc:
            raise ImageNotPresent(image=engine_ref) from exc
        return tuple(
            HistoryEntry(
                id=row["Id"],
                created=_parse_time(row["Created"]),
                created_by=row.get("CreatedBy") or "",
                size=int(row.get("Size") or 0),
                comment=row.get("Comment") or "",
                tags=tuple(row.get("Tags") or ()),
            )
            for row in rows
        )

    def _own_images(self, owner: Owner) -> list[tuple[refs.OwnName, dict[str, Any]]]:
        """The student's tagged images, as (their name, the engine's summary)."""
        prefix = refs.owner_prefix(owner)
        found = []
        for image in self._docker().api.images(filters=self._owner_filter(owner)):
            for tag in image.get("RepoTags") or ():
                if tag.startswith(prefix):
                    name, _, version = tag[len(prefix) :].rpartition(":")
                    found.append((refs.OwnName(name=name, tag=version), image))
        return found

    def _replaced_by(self, owner: Owner, own: refs.OwnName) -> str | None:
        """The image ``own`` names now (it will be replaced), after the quota check."""
        existing = {str(name): summary["Id"] for name, summary in self._own_images(owner)}
        replaced = existing.get(str(own))
        if replaced is None and len(existing) >= self.image_quota:
            raise QuotaExceeded(quota=self.image_quota, names=", ".join(sorted(existing)))
        return replaced

    def _commit_container(
        self, owner: Owner, own: refs.OwnName, container_id: str, replaced: str | None
    ) -> tuple[ImageRef, str, tuple[HistoryEntry, ...]]:
        """``docker commit`` under the student's name; refuses an oversized layer."""
        layer_size = self._layer_size(container_id) or 0
        if layer_size > self.limits.writable_bytes:
            raise UserError("error.layer_too_big", size=layer_size, limit=self.limits.writable_bytes)
        labels = self.labels(owner, PURPOSE_IMAGE, **{LABEL_NAME: str(own)})
        committed = self._docker().api.commit(
            container_id, repository=own.engine_repository(owner), tag=own.tag, conf={"Labels": labels}
        )
        image_id = str(committed["Id"])
        if replaced and replaced != image_id:
            self._drop_untagged(replaced)
        shown = ImageRef(shown=str(own), engine_ref=own.engine_ref(owner), own=True)
        return shown, image_id, self._history(image_id)

    def _commit(self, owner: Owner, own: refs.OwnName, image: ImageRef, command: str) -> CommitResult:
        replaced = self._replaced_by(owner, own)
        container = None
        try:
            container = self._create(
                image.engine_ref, ["/bin/sh", "-c", command], self.labels(owner, PURPOSE_ONESHOT)
            )
            run = self._execute(container, command, image)
            shown, image_id, history = self._commit_container(owner, own, container.id, replaced)
        finally:
            self._remove(container)
        return CommitResult(image=shown, image_id=image_id, run=run, history=history, replaced_id=replaced)

    def _drop_untagged(self, image_id: str) -> None:
        try:
            if not self._docker().api.inspect_image(image_id).get("RepoTags"):
                self._docker().api.remove_image(image_id)
        except docker.errors.APIError as exc:  # still a parent of another image: keep it
            log.info("Kept replaced image %s: %s", image_id, exc)

    def _images(self, owner: Owner) -> ImagesOverview:
        own = tuple(
            ImageSummary(
                repository=name.name,
                tag=name.tag,
                id=summary["Id"],
                created=_parse_time(summary["Created"]),
                size=int(summary.get("Size") or 0),
            )
            for name, summary in self._own_images(owner)
        )
        base: list[ImageSummary] = []
        missing: list[str] = []
        for ref in self.base_images:
            try:
                attrs = self._docker().api.inspect_image(ref)
            except docker.errors.ImageNotFound:
                missing.append(ref)
                continue
            parsed = refs.parse(ref)
            base.append(
                ImageSummary(
                    repository=parsed.repository,
                    tag=parsed.tag or "<none>",
                    id=attrs["Id"],
                    created=_parse_time(attrs["Created"]),
                    size=int(attrs.get("Size") or 0),
                )
            )
        return ImagesOverview(own=own, base=tuple(base), missing_base=tuple(missing), quota=self.image_quota)

    def _remove_image(self, owner: Owner, own: refs.OwnName) -> RemoveResult:
        engine_ref = own.engine_ref(owner)
        if not any(str(name) == str(own) for name, _ in self._own_images(owner)):
            raise NotFound("error.no_such_own_image", name=str(own))
        try:
            answer = self._docker().api.remove_image(engine_ref)
        except docker.errors.APIError as exc:
            if exc.status_code == 409:
                raise UserError("error.image_in_use", name=str(own)) from exc
            raise
        lines: list[tuple[str, str]] = []
        for item in answer or ():
            for kind in ("Untagged", "Deleted"):
                if kind in item:
                    value = str(own) if item[kind] == engine_ref else item[kind]
                    lines.append((kind, value))
        return RemoveResult(lines=tuple(lines))

    def _prepare_image(self, ref: str, progress: Callable[[int, int], None]) -> bool:
        if self._image_exists(ref):
            return False
        parsed = refs.parse(ref)
        layers: dict[str, tuple[int, int]] = {}
        try:
            for event in self._docker().api.pull(parsed.repository, tag=parsed.tag, stream=True, decode=True):
                if "error" in event:
                    raise UserError("images.pull_failed", image=ref, reason=str(event["error"]))
                detail = event.get("progressDetail") or {}
                if event.get("id") and detail.get("total"):
                    layers[event["id"]] = (int(detail.get("current", 0)), int(detail["total"]))
                    progress(sum(c for c, _ in layers.values()), sum(t for _, t in layers.values()))
        except docker.errors.APIError as exc:
            raise UserError("images.pull_failed", image=ref, reason=exc.explanation or str(exc)) from exc
        if not self._image_exists(ref):
            raise UserError("images.pull_failed", image=ref, reason="the engine reported no image")
        return True

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

    def _owns_anything(self, owner: Owner) -> bool:
        filters = self._owner_filter(owner)
        client = self._docker()
        return bool(client.api.containers(all=True, filters=filters, quiet=True)) or bool(
            client.api.images(filters=filters, quiet=True)
        )

    def _describe(self) -> dict[str, Any]:
        client = self._docker()
        version = client.version()
        info = client.api.info()
        status = dict((str(k), str(v)) for k, v in info.get("DriverStatus") or ())
        present = {ref: self._image_exists(ref) is not None for ref in self.base_images}
        return {
            "version": str(version.get("Version", "?")),
            "api_version": str(version.get("ApiVersion", "?")),
            "driver": str(info.get("Driver", "")),
            "backing_filesystem": status.get("Backing Filesystem", ""),
            "image_store": image_store(info),
            "storage_quota": self._probe_storage_quota(),
            "images": present,
            # Who the engine is: its ID alone is not enough (engines sharing /etc/docker,
            # or cloned machines, share it), so with its host name and data root.
            "identity": "|".join(str(info.get(k, "")) for k in ("ID", "Name", "DockerRootDir")),
        }

    def _inspect_image(self, engine_ref: str) -> ImageDetails:
        try:
            data = self._docker().api.inspect_image(engine_ref)
        except docker.errors.ImageNotFound as exc:
            raise ImageNotPresent(image=engine_ref) from exc
        rootfs = data.get("RootFS") or {}
        return ImageDetails(
            id=str(data["Id"]),
            architecture=str(data.get("Architecture", "")),
            os=str(data.get("Os", "")),
            size=int(data.get("Size") or 0),
            rootfs_type=str(rootfs.get("Type", "")),
            layers=tuple(rootfs.get("Layers") or ()),
        )

    def _layers_over_base(self, engine_ref: str) -> int:
        layers = self._inspect_image(engine_ref).layers
        best = 0
        for base in self.base_images:
            try:
                base_layers = self._inspect_image(base).layers
            except ImageNotPresent:
                continue
            if layers[: len(base_layers)] == base_layers:
                best = max(best, len(base_layers))
        return len(layers) - best

    def _remove_all_images(self, owner: Owner) -> int:
        removed = 0
        for name, _ in self._own_images(owner):
            try:
                self._docker().api.remove_image(name.engine_ref(owner), force=True)
                removed += 1
            except docker.errors.NotFound:
                pass
        return removed

    def _info(self, owner: Owner) -> EngineInfo:
        api = self._docker().api
        data = api.info()
        status = tuple((str(k), str(v)) for k, v in data.get("DriverStatus") or ())
        mine = api.containers(all=True, filters=self._owner_filter(owner))
        return EngineInfo(
            containers=int(data.get("Containers", 0)),
            running=int(data.get("ContainersRunning", 0)),
            paused=int(data.get("ContainersPaused", 0)),
            stopped=int(data.get("ContainersStopped", 0)),
            images=int(data.get("Images", 0)),
            server_version=str(data.get("ServerVersion", "")),
            storage_driver=str(data.get("Driver", "")),
            driver_status=status,
            image_store=image_store(data),
            own_containers=len(mine),
            own_running=sum(1 for c in mine if c.get("State") == "running"),
            own_images=len(self._own_images(owner)),
        )

    def _remove_leftovers(self, older_than: float) -> int:
        api = self._docker().api
        removed = 0
        now = _now()
        for row in api.containers(all=True, filters={"label": [f"{LABEL_PURPOSE}={PURPOSE_ONESHOT}"]}):
            label = (row.get("Labels") or {}).get(LABEL_CREATED)
            try:
                created = datetime.fromisoformat(label) if label else _parse_time(row["Created"])
            except ValueError:
                created = _parse_time(row["Created"])
            if (now - created).total_seconds() < older_than:
                continue
            try:
                api.remove_container(row["Id"], force=True)
                removed += 1
            except docker.errors.NotFound:
                pass
        if removed:
            log.info("Removed %d leftover one-shot container(s)", removed)
        return removed
