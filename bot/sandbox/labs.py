"""Each student's own lab container: it lives between commands, as in the seed.

The container runs the image's shell with a terminal and open stdin, like the
seed's ``docker run -it ubuntu bash``: it waits, and each ``/lab run`` is a
``docker exec`` in it through the runner. The limits of the one-shot runs hold
here too (they are the container's); a command that runs too long, or prints too
much, is ended with ``kill -9 -1`` from a second exec, which stops every process
in the container but its first one, so the container and its files stay.
"""

from __future__ import annotations

import io
import logging
import tarfile
from pathlib import PurePosixPath
from typing import Any

import docker.errors

from bot.errors import NotFound, UserError
from bot.sandbox import labels, refs
from bot.sandbox.client import EngineClient, parse_time
from bot.sandbox.container_facts import changes, layer_size
from bot.sandbox.host import Host
from bot.sandbox.images import Images
from bot.sandbox.limits import MB, STOP_TIMEOUT
from bot.sandbox.models import (
    Change,
    CommitResult,
    ContainerRow,
    HostView,
    ImageRef,
    Owner,
    RunResult,
    StorageView,
)
from bot.sandbox.policy import ImagePolicy
from bot.sandbox.runner import Runner

log = logging.getLogger(__name__)

#: Shells a lab container may keep as its first process; other images get /bin/sh.
SHELLS = frozenset({"bash", "sh", "ash", "dash", "zsh"})
#: Bytes of tar headers read beyond a file's content limit.
TAR_OVERHEAD = 4096


def container_row(summary: dict[str, Any], owner: Owner | None = None) -> ContainerRow:
    """A ``docker ps`` row from the engine's summary, the image named as its owner knows it."""
    image = str(summary.get("Image") or "")
    if owner is not None:
        image = refs.own_name_of(owner, image) or image
    names = ",".join(n.lstrip("/") for n in summary.get("Names") or () if n.count("/") == 1)
    return ContainerRow(
        id=str(summary["Id"]),
        image=image,
        command=str(summary.get("Command") or ""),
        created=parse_time(summary["Created"]),
        status=str(summary.get("Status") or ""),
        state=str(summary.get("State") or ""),
        names=names,
    )


def newest(api: Any, owner: Owner, purpose: str) -> ContainerRow | None:
    """The student's newest container of this purpose (a lab container, a playground)."""
    rows = api.containers(all=True, filters=labels.owner_filter(owner, purpose))
    if not rows:
        return None
    rows.sort(key=lambda r: r["Created"], reverse=True)
    return container_row(rows[0], owner)


def all_of(api: Any, purpose: str, guild_id: int | None) -> list[tuple[Owner, ContainerRow]]:
    """Every student's containers of this purpose, in one course server or all."""
    found = []
    for summary in api.containers(all=True, filters=labels.purpose_filter(purpose, guild_id)):
        owner = labels.owner_of(summary.get("Labels") or {})
        if owner is not None:
            found.append((owner, container_row(summary, owner)))
    return found


def remove_by_id(api: Any, container_id: str) -> bool:
    """Remove a container, running or not; False when it was gone already."""
    try:
        api.remove_container(container_id, force=True)
    except docker.errors.NotFound:
        return False
    return True


class LabContainers:
    """Lab containers on one engine, under that engine's limits."""

    def __init__(
        self, client: EngineClient, policy: ImagePolicy, runner: Runner, images: Images, host: Host
    ) -> None:
        self.client = client
        self.policy = policy
        self.runner = runner
        self.images = images
        self.host = host

    # -- async API -------------------------------------------------------------------

    async def find(self, owner: Owner) -> ContainerRow | None:
        return await self.client.call(self._find, owner)

    async def create(self, owner: Owner, image: ImageRef) -> ContainerRow:
        return await self.client.call(self._create, owner, image)

    async def run(self, owner: Owner, command: str) -> RunResult:
        return await self.client.call(self._run, owner, command)

    async def diff(self, owner: Owner) -> tuple[ContainerRow, tuple[Change, ...]]:
        return await self.client.call(self._diff, owner)

    async def stop(self, owner: Owner) -> ContainerRow:
        return await self.client.call(self._stop, owner)

    async def start(self, owner: Owner) -> ContainerRow:
        return await self.client.call(self._start, owner)

    async def remove(self, owner: Owner) -> ContainerRow:
        return await self.client.call(self._remove, owner)

    async def commit(self, owner: Owner, name: str) -> CommitResult:
        own = self.policy.own_name(name)
        return await self.client.call(self._commit, owner, own)

    async def inspect(self, owner: Owner) -> tuple[ContainerRow, StorageView]:
        return await self.client.call(self._inspect, owner)

    async def host_view(self, owner: Owner) -> tuple[ContainerRow, HostView]:
        return await self.client.call(self._host_view, owner)

    async def read_file(self, owner: Owner, path: str, limit: int) -> bytes | None:
        """Up to ``limit`` bytes of a regular file in the lab container (running or not);
        None when there is no such file."""
        return await self.client.call(self._read_file, owner, path, limit)

    async def all_labs(self, guild_id: int | None = None) -> list[tuple[Owner, ContainerRow]]:
        return await self.client.call(self._all_labs, guild_id)

    async def remove_by_id(self, container_id: str) -> bool:
        return await self.client.call(self._remove_by_id, container_id)

    async def stop_by_id(self, container_id: str) -> bool:
        return await self.client.call(self._stop_by_id, container_id)

    # -- on the worker threads --------------------------------------------------------------

    def _find(self, owner: Owner) -> ContainerRow | None:
        return newest(self.client.api, owner, labels.PURPOSE_LAB)

    def _need(self, owner: Owner) -> ContainerRow:
        lab = self._find(owner)
        if lab is None:
            raise NotFound("lab.none")
        return lab

    def _shell(self, image_ref: str) -> list[str]:
        config = self.client.api.inspect_image(image_ref).get("Config") or {}
        command = list(config.get("Cmd") or [])
        if len(command) == 1 and PurePosixPath(command[0]).name in SHELLS:
            return command
        return ["/bin/sh"]

    def _create(self, owner: Owner, image: ImageRef) -> ContainerRow:
        if self._find(owner) is not None:
            raise UserError("lab.exists")
        container_id = self.runner.create(
            image.engine_ref,
            self._shell(image.engine_ref),
            labels.labels(owner, labels.PURPOSE_LAB),
            keep=True,
        )
        try:
            self.client.api.start(container_id)
        except docker.errors.APIError:
            self.runner.remove(container_id)
            raise
        return self._need(owner)

    def _ensure_running(self, lab: ContainerRow) -> None:
        if lab.state != "running":
            self.client.api.start(lab.id)

    def _run(self, owner: Owner, command: str) -> RunResult:
        lab = self._need(owner)
        size = layer_size(self.client.api, lab.id) or 0
        if size > self.runner.limits.writable_bytes:  # it passed the cap before: no more writing
            raise UserError(
                "error.over_cap", size_mb=size // MB, limit_mb=self.runner.limits.writable_bytes // MB
            )
        self._ensure_running(lab)
        return self.runner.run_exec(lab.id, lab.image, lab.names, command)

    def _diff(self, owner: Owner) -> tuple[ContainerRow, tuple[Change, ...]]:
        lab = self._need(owner)
        return lab, changes(self.client.api, lab.id)

    def _stop(self, owner: Owner) -> ContainerRow:
        lab = self._need(owner)
        self.client.api.stop(lab.id, timeout=STOP_TIMEOUT)
        return self._need(owner)

    def _start(self, owner: Owner) -> ContainerRow:
        self._ensure_running(self._need(owner))
        return self._need(owner)

    def _remove(self, owner: Owner) -> ContainerRow:
        lab = self._need(owner)
        self.client.api.remove_container(lab.id, force=True)
        return lab

    def _commit(self, owner: Owner, own: refs.OwnName) -> CommitResult:
        lab = self._need(owner)
        replaced = self.policy.replaced_by(owner, own)
        shown, image_id, history, cmd = self.images.commit_container(owner, own, lab.id, replaced)
        run = RunResult(
            image=lab.image,
            command="",
            container_name=lab.names,
            exit_code=0,
            output=b"",
            duration=0.0,
            changes=changes(self.client.api, lab.id),
        )
        return CommitResult(
            image=shown, image_id=image_id, run=run, history=history, replaced_id=replaced, cmd=cmd
        )

    def _inspected(self, owner: Owner) -> ContainerRow:
        """The lab container, running if its mount table is where its layers are
        shown (the containerd store: ``docker inspect`` has no paths there)."""
        lab = self._need(owner)
        if lab.state != "running" and self.host.store() == "containerd":
            self._ensure_running(lab)
            lab = self._need(owner)
        return lab

    def _inspect(self, owner: Owner) -> tuple[ContainerRow, StorageView]:
        lab = self._inspected(owner)
        return lab, self.host.storage(lab.id)

    def _host_view(self, owner: Owner) -> tuple[ContainerRow, HostView]:
        lab = self._inspected(owner)
        return lab, self.host.writable_layer(lab.id)

    def _read_file(self, owner: Owner, path: str, limit: int) -> bytes | None:
        lab = self._need(owner)
        try:
            stream, _ = self.client.api.get_archive(lab.id, path)
        except docker.errors.NotFound:
            return None
        archive = io.BytesIO()
        for chunk in stream:
            archive.write(chunk)
            if archive.tell() > limit + TAR_OVERHEAD:
                break
        archive.seek(0)
        try:
            with tarfile.open(fileobj=archive, mode="r|") as tar:
                member = tar.next()
                if member is None or not member.isfile():
                    return None
                extracted = tar.extractfile(member)
                return extracted.read(limit) if extracted else None
        except tarfile.TarError:
            return None

    def _all_labs(self, guild_id: int | None) -> list[tuple[Owner, ContainerRow]]:
        return all_of(self.client.api, labels.PURPOSE_LAB, guild_id)

    def _remove_by_id(self, container_id: str) -> bool:
        return remove_by_id(self.client.api, container_id)

    def _stop_by_id(self, container_id: str) -> bool:
        try:
            self.client.api.stop(container_id, timeout=STOP_TIMEOUT)
        except docker.errors.NotFound:
            return False
        return True
