"""The lab host as the course shows it: ``docker info``, what ``layerlab doctor``
reports, and where a container's files lie on the host's disk (the GraphDriver
data, and the writable layer read through a read-only helper container)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import docker.errors

from bot.errors import UserError
from bot.sandbox import labels
from bot.sandbox.client import EngineClient
from bot.sandbox.helpers import Helpers
from bot.sandbox.models import EngineInfo, HostView, OverlayMount, Owner, StorageView
from bot.sandbox.policy import ImagePolicy, image_id
from bot.sandbox.runner import Runner

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
#: What the helper prints: the layer's files, then its whiteouts (character devices 0/0).
_LIST_SCRIPT = (
    "echo '--- files'; cd /upper && find . -mindepth 1 ! -type c;"
    " echo '--- whiteouts'; find . -mindepth 1 -type c"
)
#: A snapshot's writable folder in containerd's overlayfs snapshotter: the only upper a helper may mount.
_SNAPSHOT_FS = re.compile(
    r"^/[\w./-]+/io\.containerd\.snapshotter\.v1\.overlayfs/snapshots/(?P<number>\d+)/fs$"
)
#: A path as the mount table may show it (no spaces, commas, escapes or ".." parts: refused).
_MOUNT_PATH = re.compile(r"^(?!.*/\.\.(?:/|$))/[\w./+@-]+$")
#: Bytes of a container's mount table read (it has a few dozen lines).
MOUNTINFO_LIMIT = 256 * 1024


def parse_root_overlay(mountinfo: str) -> OverlayMount | None:
    """The overlay mounted on ``/`` in a ``/proc/<pid>/mountinfo`` text, or None.

    Each line: ``id parent major:minor root mountpoint options [tags] - fstype source
    superoptions``; an overlay's super options carry ``lowerdir=a:b,upperdir=…,workdir=…``.
    """
    for line in mountinfo.splitlines():
        fields, sep, tail = line.partition(" - ")
        parts, rest = fields.split(), tail.split()
        if not sep or len(parts) < 5 or parts[4] != "/" or len(rest) < 3 or rest[0] != "overlay":
            continue
        options = dict(o.partition("=")[::2] for o in rest[2].split(","))
        lower = tuple(options.get("lowerdir", "").split(":"))
        upper, work = options.get("upperdir", ""), options.get("workdir", "")
        if all(_MOUNT_PATH.match(p) for p in (*lower, upper, work)):
            return OverlayMount(lower_dirs=lower, upper_dir=upper, work_dir=work)
    return None


def image_store(info: dict[str, Any]) -> str:
    """ "containerd" when the engine keeps images in the containerd image store
    (Docker 29+ on fresh installs: no overlay2 layerdb), else "classic"."""
    status = [str(value) for _, value in info.get("DriverStatus") or ()]
    snapshotter = any("io.containerd.snapshotter" in value for value in status)
    return "containerd" if snapshotter or info.get("Driver") in ("overlayfs", "stargz") else "classic"


class Host:
    def __init__(self, client: EngineClient, policy: ImagePolicy, runner: Runner, helpers: Helpers) -> None:
        self.client = client
        self.policy = policy
        self.runner = runner
        self.helpers = helpers

    # -- async API ------------------------------------------------------------------

    async def info(self, owner: Owner) -> EngineInfo:
        """``docker info``'s counts and storage, and this student's share of them."""
        return await self.client.call(self._info, owner)

    async def describe(self) -> dict[str, Any]:
        """What ``layerlab doctor`` reports about the engine."""
        return await self.client.call(self._describe)

    # -- on the worker threads --------------------------------------------------------

    def store(self) -> str:
        """Which image store the engine uses: "classic" or "containerd"."""
        return image_store(self.client.api.info())

    def storage(self, container_id: str) -> StorageView:
        """Where a container's files live. On the classic store ``docker inspect``
        says it (GraphDriver); on the containerd store it does not, and the running
        container's own mount table does."""
        api = self.client.api
        details = api.inspect_container(container_id)
        info = api.info()
        store = image_store(info)
        if store == "classic":
            return StorageView(store, details.get("GraphDriver"), details.get("Storage"))
        root = str(info.get("DockerRootDir") or "/var/lib/docker")
        layers = (api.inspect_image(details["Image"]).get("RootFS") or {}).get("Layers") or ()
        return StorageView(
            store,
            details.get("GraphDriver"),
            details.get("Storage"),
            mount=self._root_mount(container_id),
            merged_dir=f"{root}/rootfs/overlayfs/{details['Id']}",  # Docker 28's, for a running one
            image_layers=len(layers),
        )

    def _root_mount(self, container_id: str) -> OverlayMount:
        """The overlay mounted on ``/`` in the (running) container, from the mount
        table of its first process. Read by a helper in the container's process
        namespace, from a base image: the student's own container or image could
        print a forged table (naming another student's layer for ``/lab host``)."""
        text = self.helpers.run(["cat", "/proc/1/mountinfo"], binds={}, pid_mode=f"container:{container_id}")
        mount = parse_root_overlay(text[:MOUNTINFO_LIMIT])
        if mount is None:
            raise UserError("lab.no_overlay")
        return mount

    def writable_layer(self, container_id: str) -> HostView:
        """The container's writable layer folder on the host, and what is in it,
        read with a short-lived read-only helper container (the student's container
        never sees the host's Docker folders). Classic store: found as the slides
        find it, through layerdb's mount-id. Containerd store: the upper snapshot."""
        view = self.storage(container_id)
        api = self.client.api
        if view.image_store == "classic":
            data = (view.graph_driver or {}).get("Data") or {}
            upper = str(data.get("UpperDir") if isinstance(data, dict) else "")
            root = str(api.info().get("DockerRootDir") or "/var/lib/docker")
            mount_id = PurePosixPath(upper).parent.name
            if not _HEX64.match(mount_id) or upper != f"{root}/overlay2/{mount_id}/diff":
                raise UserError("lab.no_overlay")
            layerdb = f"{root}/image/overlay2/layerdb/mounts/{container_id}"
            binds = {layerdb: {"bind": "/layerdb", "mode": "ro"}, upper: {"bind": "/upper", "mode": "ro"}}
            head, files, whiteouts = self._list(container_id, binds, "cat /layerdb/mount-id; echo; ")
            return HostView(
                "classic", upper, files, whiteouts, layerdb_file=f"{layerdb}/mount-id", mount_id=head.strip()
            )
        upper = view.mount.upper_dir if view.mount else ""
        found = _SNAPSHOT_FS.match(upper)
        if found is None:
            raise UserError("lab.no_overlay")
        _, files, whiteouts = self._list(container_id, {upper: {"bind": "/upper", "mode": "ro"}}, "")
        return HostView("containerd", upper, files, whiteouts, snapshot=found["number"])

    def _list(
        self, container_id: str, binds: dict[str, dict[str, str]], first: str
    ) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """List /upper with a helper: ``first``'s output, then the files and the whiteouts."""
        command = ["/bin/sh", "-c", first + _LIST_SCRIPT]
        text = self.helpers.run(command, binds=binds, capabilities=("DAC_READ_SEARCH",))
        head, _, rest = text.partition("--- files\n")
        files_part, _, whiteouts_part = rest.partition("--- whiteouts\n")

        def paths(block: str) -> tuple[str, ...]:
            return tuple(sorted("/" + line[2:] for line in block.splitlines() if line.startswith("./")))

        return head, paths(files_part), paths(whiteouts_part)

    def _info(self, owner: Owner) -> EngineInfo:
        api = self.client.api
        data = api.info()
        status = tuple((str(k), str(v)) for k, v in data.get("DriverStatus") or ())
        mine = api.containers(all=True, filters=labels.owner_filter(owner))
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
            root_dir=str(data.get("DockerRootDir") or "/var/lib/docker"),
            own_containers=len(mine),
            own_running=sum(1 for c in mine if c.get("State") == "running"),
            own_images=len(self.policy.own_images(owner)),
        )

    def _describe(self) -> dict[str, Any]:
        docker_client = self.client.sdk
        version = docker_client.version()
        info = docker_client.api.info()
        status = dict((str(k), str(v)) for k, v in info.get("DriverStatus") or ())
        present = {ref: image_id(docker_client.api, ref) is not None for ref in self.policy.base_images}
        network = self.runner.limits.network
        try:
            network_present = network == "none" or bool(docker_client.api.inspect_network(network))
        except docker.errors.NotFound:
            network_present = False
        return {
            "version": str(version.get("Version", "?")),
            "api_version": str(version.get("ApiVersion", "?")),
            "driver": str(info.get("Driver", "")),
            "backing_filesystem": status.get("Backing Filesystem", ""),
            "image_store": image_store(info),
            "storage_quota": self.runner.storage_quota(),
            "images": present,
            "network": network,
            "network_present": network_present,
            # Who the engine is: its ID alone is not enough (engines sharing /etc/docker,
            # or cloned machines, share it), so with its host name and data root.
            "identity": "|".join(str(info.get(k, "")) for k in ("ID", "Name", "DockerRootDir")),
        }
