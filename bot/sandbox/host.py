"""The lab host as the course shows it: ``docker info``, what ``layerlab doctor``
reports, and where a container's files lie on the host's disk (the GraphDriver
data, and the writable layer read through a read-only helper container)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from bot.errors import UserError
from bot.sandbox import labels
from bot.sandbox.client import EngineClient
from bot.sandbox.models import EngineInfo, HostView, Owner, StorageView
from bot.sandbox.policy import ImagePolicy, image_id
from bot.sandbox.runner import Runner

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
#: The helper that reads the writable layer: its own small limits.
HELPER_MEMORY = 64 * 1024 * 1024
HELPER_PIDS = 16
HELPER_TIMEOUT = 30
_HOST_SCRIPT = (
    "cat /layerdb/mount-id; echo; echo '--- files'; "
    "cd /upper && find . -mindepth 1 ! -type c; echo '--- whiteouts'; find . -mindepth 1 -type c"
)


def image_store(info: dict[str, Any]) -> str:
    """ "containerd" when the engine keeps images in the containerd image store
    (Docker 29+ on fresh installs: no overlay2 layerdb), else "classic"."""
    status = [str(value) for _, value in info.get("DriverStatus") or ()]
    snapshotter = any("io.containerd.snapshotter" in value for value in status)
    return "containerd" if snapshotter or info.get("Driver") in ("overlayfs", "stargz") else "classic"


class Host:
    def __init__(self, client: EngineClient, policy: ImagePolicy, runner: Runner) -> None:
        self.client = client
        self.policy = policy
        self.runner = runner

    # -- async API ------------------------------------------------------------------

    async def info(self, owner: Owner) -> EngineInfo:
        """``docker info``'s counts and storage, and this student's share of them."""
        return await self.client.call(self._info, owner)

    async def describe(self) -> dict[str, Any]:
        """What ``layerlab doctor`` reports about the engine."""
        return await self.client.call(self._describe)

    # -- on the worker threads --------------------------------------------------------

    def storage(self, container_id: str) -> StorageView:
        """What ``docker inspect`` says about where a container's files live."""
        api = self.client.api
        details = api.inspect_container(container_id)
        return StorageView(
            image_store=image_store(api.info()),
            graph_driver=details.get("GraphDriver"),
            storage=details.get("Storage"),
        )

    def writable_layer(self, container_id: str) -> HostView:
        """The layerdb file and the UpperDir of a container, read with a short-lived
        read-only helper container (the student's container never sees the host's
        Docker folder)."""
        view = self.storage(container_id)
        if view.image_store != "classic" or not view.graph_driver:
            raise UserError("lab.no_layerdb")
        data = view.graph_driver.get("Data") or {}
        upper = str(data.get("UpperDir") if isinstance(data, dict) else "")
        api = self.client.api
        root = str(api.info().get("DockerRootDir") or "/var/lib/docker")
        mount_id = PurePosixPath(upper).parent.name
        if not _HEX64.match(mount_id) or upper != f"{root}/overlay2/{mount_id}/diff":
            raise UserError("lab.no_layerdb")
        layerdb = f"{root}/image/overlay2/layerdb/mounts/{container_id}"
        helper = api.create_container(
            str(api.inspect_container(container_id)["Image"]),  # the image id: always present
            command=["/bin/sh", "-c", _HOST_SCRIPT],
            labels=labels.helper_labels(),
            network_disabled=True,
            host_config=api.create_host_config(
                binds={layerdb: {"bind": "/layerdb", "mode": "ro"}, upper: {"bind": "/upper", "mode": "ro"}},
                network_mode="none",
                cap_drop=["ALL"],
                cap_add=["DAC_READ_SEARCH"],
                security_opt=["no-new-privileges:true"],
                read_only=True,
                mem_limit=HELPER_MEMORY,
                pids_limit=HELPER_PIDS,
            ),
        )
        try:
            api.start(helper["Id"])
            api.wait(helper["Id"], timeout=HELPER_TIMEOUT)
            text = api.logs(helper["Id"], stdout=True, stderr=False).decode("utf-8", "replace")
        finally:
            self.runner.remove(helper["Id"])
        head, _, rest = text.partition("--- files\n")
        files_part, _, whiteouts_part = rest.partition("--- whiteouts\n")

        def paths(block: str) -> tuple[str, ...]:
            return tuple(sorted("/" + line[2:] for line in block.splitlines() if line.startswith("./")))

        return HostView(
            layerdb_file=f"{layerdb}/mount-id",
            mount_id=head.strip(),
            upper_dir=upper,
            files=paths(files_part),
            whiteouts=paths(whiteouts_part),
        )

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
        return {
            "version": str(version.get("Version", "?")),
            "api_version": str(version.get("ApiVersion", "?")),
            "driver": str(info.get("Driver", "")),
            "backing_filesystem": status.get("Backing Filesystem", ""),
            "image_store": image_store(info),
            "storage_quota": self.runner.storage_quota(),
            "images": present,
            # Who the engine is: its ID alone is not enough (engines sharing /etc/docker,
            # or cloned machines, share it), so with its host name and data root.
            "identity": "|".join(str(info.get(k, "")) for k in ("ID", "Name", "DockerRootDir")),
        }
