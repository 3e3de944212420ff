"""Each student's own lab container: it lives between commands, as in the seed.

The container runs the image's shell with a terminal and open stdin, like the
seed's ``docker run -it ubuntu bash``: it waits, and each ``/lab run`` is a
``docker exec`` in it. The limits of the one-shot runs hold here too (they are
the container's); a command that runs too long, or prints too much, is ended
with ``kill -9 -1`` from a second exec, which stops every process in the
container but its first one, so the container and its files stay.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import tarfile
import threading
import time
from pathlib import PurePosixPath
from typing import Any

import docker
import docker.errors

from bot.errors import NotFound, UserError
from bot.sandbox import refs
from bot.sandbox.engine import (
    LABEL_CREATED,
    LABEL_GUILD,
    LABEL_OWNER,
    LABEL_PURPOSE,
    WAIT_GRACE,
    Sandbox,
    _now,
    _parse_time,
    image_store,
    read_capped,
)
from bot.sandbox.models import (
    Change,
    ChangeKind,
    CommitResult,
    ContainerRow,
    HostView,
    ImageRef,
    Owner,
    RunResult,
    StorageView,
)

log = logging.getLogger(__name__)

PURPOSE_LAB = "lab"
#: Shells a lab container may keep as its first process; other images get /bin/sh.
SHELLS = frozenset({"bash", "sh", "ash", "dash", "zsh"})
#: Seconds ``docker stop`` waits before SIGKILL (a shell as PID 1 ignores SIGTERM).
STOP_TIMEOUT = 2
#: How often an exec's end is polled after its output closed.
EXEC_POLL = 0.05
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
#: Bytes of tar headers read beyond a file's content limit.
TAR_OVERHEAD = 4096


class LabSandbox:
    """Lab containers on the sandbox's engine, under the sandbox's limits."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    # -- async API -------------------------------------------------------------------

    async def find(self, owner: Owner) -> ContainerRow | None:
        return await self.sandbox._call(self._find, owner)

    async def create(self, owner: Owner, image: ImageRef) -> ContainerRow:
        return await self.sandbox._call(self._create_lab, owner, image)

    async def run(self, owner: Owner, command: str) -> RunResult:
        return await self.sandbox._call(self._run, owner, command)

    async def diff(self, owner: Owner) -> tuple[ContainerRow, tuple[Change, ...]]:
        return await self.sandbox._call(self._diff, owner)

    async def stop(self, owner: Owner) -> ContainerRow:
        return await self.sandbox._call(self._stop, owner)

    async def start(self, owner: Owner) -> ContainerRow:
        return await self.sandbox._call(self._start, owner)

    async def remove(self, owner: Owner) -> ContainerRow:
        return await self.sandbox._call(self._remove_lab, owner)

    async def commit(self, owner: Owner, name: str) -> CommitResult:
        own = refs.parse_own_name(name)
        self.sandbox._refuse_base_name(own)
        return await self.sandbox._call(self._commit, owner, own)

    async def inspect(self, owner: Owner) -> tuple[ContainerRow, StorageView]:
        return await self.sandbox._call(self._inspect, owner)

    async def host(self, owner: Owner) -> tuple[ContainerRow, HostView]:
        return await self.sandbox._call(self._host, owner)

    async def read_file(self, owner: Owner, path: str, limit: int) -> bytes | None:
        """Up to ``limit`` bytes of a regular file in the lab container (running or not);
        None when there is no such file."""
        return await self.sandbox._call(self._read_file, owner, path, limit)

    async def all_labs(self, guild_id: int | None = None) -> list[tuple[Owner, ContainerRow]]:
        return await self.sandbox._call(self._all_labs, guild_id)

    async def remove_by_id(self, container_id: str) -> bool:
        return await self.sandbox._call(self._remove_by_id, container_id)

    async def stop_by_id(self, container_id: str) -> bool:
        return await self.sandbox._call(self._stop_by_id, container_id)

    # -- on the worker threads --------------------------------------------------------------

    def _api(self) -> Any:
        return self.sandbox._docker().api

    def _row(self, summary: dict[str, Any], owner: Owner | None = None) -> ContainerRow:
        image = str(summary.get("Image") or "")
        if owner is not None:
            image = refs.own_name_of(owner, image) or image
        names = ",".join(n.lstrip("/") for n in summary.get("Names") or () if n.count("/") == 1)
        return ContainerRow(
            id=str(summary["Id"]),
            image=image,
            command=str(summary.get("Command") or ""),
            created=_parse_time(summary["Created"]),
            status=str(summary.get("Status") or ""),
            state=str(summary.get("State") or ""),
            names=names,
        )

    def _find(self, owner: Owner) -> ContainerRow | None:
        rows = self._api().containers(all=True, filters=Sandbox._owner_filter(owner, PURPOSE_LAB))
        if not rows:
            return None
        rows.sort(key=lambda r: r["Created"], reverse=True)
        return self._row(rows[0], owner)

    def _need(self, owner: Owner) -> ContainerRow:
        lab = self._find(owner)
        if lab is None:
            raise NotFound("lab.none")
        return lab

    def _shell(self, image_ref: str) -> list[str]:
        config = self._api().inspect_image(image_ref).get("Config") or {}
        command = list(config.get("Cmd") or [])
        if len(command) == 1 and PurePosixPath(command[0]).name in SHELLS:
            return command
        return ["/bin/sh"]

    def _create_lab(self, owner: Owner, image: ImageRef) -> ContainerRow:
        if self._find(owner) is not None:
            raise UserError("lab.exists")
        container = self.sandbox._create(
            image.engine_ref,
            self._shell(image.engine_ref),
            Sandbox.labels(owner, PURPOSE_LAB),
            stdin_open=True,
        )
        try:
            container.start()
        except docker.errors.APIError:
            container.remove(force=True)
            raise
        return self._need(owner)

    def _ensure_running(self, lab: ContainerRow) -> None:
        if lab.state != "running":
            self._api().start(lab.id)

    def _run(self, owner: Owner, command: str) -> RunResult:
        lab = self._need(owner)
        self._ensure_running(lab)
        api = self._api()
        limits = self.sandbox.limits
        shell = ["/bin/sh", "-c", command]
        exec_id = api.exec_create(lab.id, shell, tty=True, stdout=True, stderr=True)["Id"]
        stopped_for: list[str] = []

        def stop_everything(reason: str) -> None:
            if not stopped_for:
                stopped_for.append(reason)
            with contextlib.suppress(docker.errors.APIError):
                killer = api.exec_create(lab.id, ["/bin/sh", "-c", "kill -9 -1"])["Id"]
                api.exec_start(killer, detach=True)

        started = time.monotonic()
        timer = threading.Timer(limits.timeout, stop_everything, args=("timeout",))
        timer.daemon = True
        try:
            stream = api.exec_start(exec_id, stream=True, tty=True)
            timer.start()
            try:
                output, truncated = read_capped(
                    stream, limits.output_bytes, lambda: stop_everything("output")
                )
            finally:
                with contextlib.suppress(Exception):
                    stream.close()
            deadline = started + limits.timeout + WAIT_GRACE
            info = api.exec_inspect(exec_id)
            while info.get("Running") and time.monotonic() < deadline:
                time.sleep(EXEC_POLL)
                info = api.exec_inspect(exec_id)
        finally:
            timer.cancel()
        state = api.inspect_container(lab.id)["State"]
        exit_code = info.get("ExitCode")
        layer_size = self.sandbox._layer_size(lab.id)
        return RunResult(
            image=lab.image,
            command=command,
            container_name=lab.names,
            exit_code=int(exit_code) if exit_code is not None else 137,
            output=bytes(output),
            duration=time.monotonic() - started,
            output_truncated=truncated,
            timed_out="timeout" in stopped_for,
            oom_killed=bool(state.get("OOMKilled")),
            layer_size=layer_size,
            layer_too_big=layer_size is not None and layer_size > limits.writable_bytes,
        )

    def _diff(self, owner: Owner) -> tuple[ContainerRow, tuple[Change, ...]]:
        lab = self._need(owner)
        changes = tuple(
            Change(kind=ChangeKind(c["Kind"]), path=c["Path"]) for c in (self._api().diff(lab.id) or ())
        )
        return lab, changes

    def _stop(self, owner: Owner) -> ContainerRow:
        lab = self._need(owner)
        self._api().stop(lab.id, timeout=STOP_TIMEOUT)
        return self._need(owner)

    def _start(self, owner: Owner) -> ContainerRow:
        lab = self._need(owner)
        self._ensure_running(lab)
        return self._need(owner)

    def _remove_lab(self, owner: Owner) -> ContainerRow:
        lab = self._need(owner)
        self._api().remove_container(lab.id, force=True)
        return lab

    def _commit(self, owner: Owner, own: refs.OwnName) -> CommitResult:
        lab = self._need(owner)
        replaced = self.sandbox._replaced_by(owner, own)
        shown, image_id, history = self.sandbox._commit_container(owner, own, lab.id, replaced)
        changes = self._diff(owner)[1]
        run = RunResult(
            image=lab.image,
            command="",
            container_name=lab.names,
            exit_code=0,
            output=b"",
            duration=0.0,
            changes=changes,
        )
        return CommitResult(image=shown, image_id=image_id, run=run, history=history, replaced_id=replaced)

    def _inspect(self, owner: Owner) -> tuple[ContainerRow, StorageView]:
        lab = self._need(owner)
        api = self._api()
        details = api.inspect_container(lab.id)
        view = StorageView(
            image_store=image_store(api.info()),
            graph_driver=details.get("GraphDriver"),
            storage=details.get("Storage"),
        )
        return lab, view

    def _host(self, owner: Owner) -> tuple[ContainerRow, HostView]:
        """Read the layerdb file and the UpperDir with a short-lived read-only helper
        container (the student's container never sees the host's Docker folder)."""
        lab, view = self._inspect(owner)
        if view.image_store != "classic" or not view.graph_driver:
            raise UserError("lab.no_layerdb")
        data = view.graph_driver.get("Data") or {}
        upper = str(data.get("UpperDir") if isinstance(data, dict) else "")
        root = str(self._api().info().get("DockerRootDir") or "/var/lib/docker")
        mount_id = PurePosixPath(upper).parent.name
        if not _HEX64.match(mount_id) or upper != f"{root}/overlay2/{mount_id}/diff":
            raise UserError("lab.no_layerdb")
        layerdb = f"{root}/image/overlay2/layerdb/mounts/{lab.id}"
        script = (
            "cat /layerdb/mount-id; echo; echo '--- files'; "
            "cd /upper && find . -mindepth 1 ! -type c; echo '--- whiteouts'; find . -mindepth 1 -type c"
        )
        api = self._api()
        helper = api.create_container(
            self._lab_image_ref(lab),
            command=["/bin/sh", "-c", script],
            labels={LABEL_PURPOSE: "oneshot", LABEL_CREATED: _now().isoformat(timespec="seconds")},
            network_disabled=True,
            host_config=api.create_host_config(
                binds={layerdb: {"bind": "/layerdb", "mode": "ro"}, upper: {"bind": "/upper", "mode": "ro"}},
                network_mode="none",
                cap_drop=["ALL"],
                cap_add=["DAC_READ_SEARCH"],
                security_opt=["no-new-privileges:true"],
                read_only=True,
                mem_limit=64 * 1024 * 1024,
                pids_limit=16,
            ),
        )
        try:
            api.start(helper["Id"])
            api.wait(helper["Id"], timeout=30)
            text = api.logs(helper["Id"], stdout=True, stderr=False).decode("utf-8", "replace")
        finally:
            api.remove_container(helper["Id"], force=True)
        head, _, rest = text.partition("--- files\n")
        files_part, _, whiteouts_part = rest.partition("--- whiteouts\n")
        read_id = head.strip()

        def paths(block: str) -> tuple[str, ...]:
            return tuple(sorted("/" + line[2:] for line in block.splitlines() if line.startswith("./")))

        return lab, HostView(
            layerdb_file=f"{layerdb}/mount-id",
            mount_id=read_id,
            upper_dir=upper,
            files=paths(files_part),
            whiteouts=paths(whiteouts_part),
        )

    def _lab_image_ref(self, lab: ContainerRow) -> str:
        return str(self._api().inspect_container(lab.id)["Image"])  # the image id: always present

    def _read_file(self, owner: Owner, path: str, limit: int) -> bytes | None:
        lab = self._need(owner)
        try:
            stream, _ = self._api().get_archive(lab.id, path)
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
        labels = [f"{LABEL_PURPOSE}={PURPOSE_LAB}"]
        if guild_id is not None:
            labels.append(f"{LABEL_GUILD}={guild_id}")
        found = []
        for summary in self._api().containers(all=True, filters={"label": labels}):
            tags = summary.get("Labels") or {}
            try:
                owner = Owner(guild_id=int(tags[LABEL_GUILD]), user_id=int(tags[LABEL_OWNER]))
            except (KeyError, ValueError):
                continue
            found.append((owner, self._row(summary, owner)))
        return found

    def _remove_by_id(self, container_id: str) -> bool:
        try:
            self._api().remove_container(container_id, force=True)
        except docker.errors.NotFound:
            return False
        return True

    def _stop_by_id(self, container_id: str) -> bool:
        try:
            self._api().stop(container_id, timeout=STOP_TIMEOUT)
        except docker.errors.NotFound:
            return False
        return True
