"""Requests and results of the sandbox: plain frozen data, no Docker or Discord types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

#: Where the docker SDK looks when DOCKER_HOST is not set.
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose objects these are: one student in one course server."""

    guild_id: int
    user_id: int

    @property
    def key(self) -> str:
        return f"{self.guild_id}:{self.user_id}"


class ChangeKind(Enum):
    """``docker diff`` kinds, numbered as the Engine API numbers them."""

    CHANGED = 0
    ADDED = 1
    DELETED = 2

    @property
    def letter(self) -> str:
        return "CAD"[self.value]


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    path: str


@dataclass(frozen=True, slots=True)
class RunRequest:
    owner: Owner
    image: str  # an engine reference, already resolved and allowed
    command: str


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one short-lived container did."""

    image: str
    command: str
    container_name: str
    exit_code: int
    output: bytes
    duration: float
    changes: tuple[Change, ...] = ()
    output_truncated: bool = False
    timed_out: bool = False
    oom_killed: bool = False
    layer_size: int | None = None  # bytes in the writable layer (SizeRw)
    layer_too_big: bool = False
    disk_stopped: bool = False  # ended while running: the writable layer passed its cap
    disk_low: bool = False  # ended while running: the lab host's disk fell below its floor
    interrupted: bool = False  # ended while running: the bot was stopping (SIGTERM)


@dataclass(frozen=True, slots=True)
class PlaygroundRun:
    """A command in a student's OverlayFS playground."""

    result: RunResult
    created: bool  # the playground was made (or made anew) for this command: it starts empty
    wiped: bool = False  # its memory was full after the command (files in tmpfs): it was thrown away


@dataclass(frozen=True, slots=True)
class FolderEntry:
    """One entry of a folder of an overlay mount, as the playground lists it."""

    path: str  # relative to the folder: "a", "dir/c"
    kind: str  # "file", "dir", "symlink", "whiteout" (a character device 0,0), "device", "other"
    size: int
    opaque: bool = False  # a directory overlayfs marked opaque (the lower ones' content hidden)


@dataclass(frozen=True, slots=True)
class FolderListing:
    path: str  # as the mount options name it
    entries: tuple[FolderEntry, ...]
    truncated: bool = False  # more entries than are listed
    readable: bool = True  # False: the folder could not be listed (gone, or not a folder)


@dataclass(frozen=True, slots=True)
class PathFacts:
    """What one path of a playground is (for the exercise checks)."""

    kind: str  # as FolderEntry.kind
    opaque: bool = False
    head: bytes = b""  # the start of a regular file


@dataclass(frozen=True, slots=True)
class OverlayMountView:
    """An overlay mount of a student's playground, each of its folders listed."""

    mountpoint: str
    lowers: tuple[FolderListing, ...]  # the top one first, as in lowerdir=
    upper: FolderListing | None  # None: a read-only overlay (no upperdir)
    workdir: str | None
    merged: FolderListing
    options: tuple[str, ...]  # the other mount options (userxattr, redirect_dir=…)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: str  # "sha256:..." or "<missing>"
    created: datetime
    created_by: str
    size: int
    comment: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImageHistory:
    """``docker history`` of an image, newest row first, and how many of its bottom
    rows are the base image's own (the image was made from that base)."""

    entries: tuple[HistoryEntry, ...]
    base_rows: int = 0
    base: str = ""  # the base image's name, when base_rows > 0


@dataclass(frozen=True, slots=True)
class ImageSummary:
    """One row of ``docker images``: a repository and tag as the viewer knows it."""

    repository: str
    tag: str
    id: str
    created: datetime
    size: int


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image a student may use: what they typed, resolved to the engine's name."""

    shown: str  # as the student knows it: "ubuntu:latest", "myubuntu:latest"
    engine_ref: str  # as the engine knows it
    own: bool  # the student's own image (not a base image)


@dataclass(frozen=True, slots=True)
class CommitResult:
    image: ImageRef
    image_id: str
    run: RunResult
    history: tuple[HistoryEntry, ...]
    replaced_id: str | None = None  # the image that had this name before
    #: The new image's Config.Cmd: the container's command (what `docker run` of it runs).
    cmd: tuple[str, ...] | None = None
    #: A trial (Try it, a quiz): the image was removed again after it was shown.
    removed: bool = False


@dataclass(frozen=True, slots=True)
class RemoveResult:
    """``docker rmi`` lines: ("Untagged", name) and ("Deleted", id)."""

    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class EngineInfo:
    containers: int
    running: int
    paused: int
    stopped: int
    images: int
    server_version: str
    storage_driver: str
    driver_status: tuple[tuple[str, str], ...]
    image_store: str  # "classic" (a graph driver such as overlay2) or "containerd"
    root_dir: str = "/var/lib/docker"  # DockerRootDir
    own_containers: int = 0
    own_running: int = 0
    own_images: int = 0


@dataclass(frozen=True, slots=True)
class EngineState:
    """What a health probe of an engine found."""

    up: bool
    version: str = ""
    containers_running: int = 0


@dataclass(frozen=True, slots=True)
class ImagesOverview:
    own: tuple[ImageSummary, ...]
    base: tuple[ImageSummary, ...]
    missing_base: tuple[str, ...] = field(default=())
    quota: int = 0


@dataclass(frozen=True, slots=True)
class ContainerRow:
    """One row of ``docker container ls --all``, image named as the student knows it."""

    id: str
    image: str
    command: str
    created: datetime
    status: str  # the engine's words: "Up 5 minutes", "Exited (0) 10 seconds ago"
    state: str  # "running", "exited", "created", ...
    names: str
    ports: str = ""


@dataclass(frozen=True, slots=True)
class OverlayMount:
    """A container's root filesystem as the overlay mount in its own mount table
    (``/proc/self/mountinfo``) shows it, in the lab host's paths."""

    lower_dirs: tuple[str, ...]  # topmost first: the container's -init layer, then the image's
    upper_dir: str
    work_dir: str


@dataclass(frozen=True, slots=True)
class StorageView:
    """Where a container's files live: what ``docker inspect`` says, and (on the
    containerd image store, where it says nothing) the container's own mount."""

    image_store: str  # "classic" or "containerd"
    graph_driver: dict[str, object] | None  # the GraphDriver object as the engine gives it
    storage: dict[str, object] | None = None  # the "Storage" object newer engines add
    mount: OverlayMount | None = None  # containerd store: from the container's mount table
    merged_dir: str | None = None  # containerd store: where the engine mounts the union
    image_layers: int = 0  # how many layers the container's image has


@dataclass(frozen=True, slots=True)
class HostView:
    """The writable layer as it lies on the lab host's disk."""

    image_store: str  # "classic": found through layerdb; "containerd": a snapshot's fs folder
    upper_dir: str
    files: tuple[str, ...]  # paths inside the layer, "/tmp/testfile"
    whiteouts: tuple[str, ...]  # deletions: character devices 0/0 in the layer
    layerdb_file: str = ""  # classic: .../image/overlay2/layerdb/mounts/<container id>/mount-id
    mount_id: str = ""  # classic: what that file holds, the folder under overlay2/
    snapshot: str = ""  # containerd: the snapshot's number under snapshots/


@dataclass(frozen=True, slots=True)
class ImageDetails:
    """The parts of ``docker image inspect`` the course looks at."""

    id: str
    architecture: str
    os: str
    size: int
    rootfs_type: str
    layers: tuple[str, ...]
    driver: str = ""  # the engine's GraphDriver name: "overlay2" (classic) or "overlayfs" (containerd)
    root_dir: str = "/var/lib/docker"  # DockerRootDir
