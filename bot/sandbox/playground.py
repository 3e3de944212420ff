"""Each student's OverlayFS playground: a container apart from the lab container in
which ``mount -t overlay`` and ``mount -t tmpfs`` work, without any privilege on
the host.

How (checked on every engine of the test matrix; ``tests/sandbox/test_playground.py``):
- The container runs as uid 1000 with every capability dropped but SYS_ADMIN, and
  ``no-new-privileges``. A process that is not root has no effective capability,
  so SYS_ADMIN stays in the bounding set only: it is what Docker's default seccomp
  profile looks for before it allows ``unshare(2)`` and ``mount(2)``. A mount in the
  container's own namespaces fails ("permission denied").
- Its first process, ``unshare -Urm``, makes a user namespace (uid 1000 outside is
  root inside, and nothing else is mapped) and a mount namespace of its own, mounts
  a tmpfs on ``/overlay`` (overlayfs needs its upper and work folders off the
  container's own overlay root) and waits. Every command is a ``docker exec`` of
  ``nsenter`` into those two namespaces as the same uid 1000: it may mount there,
  and only there, so mounts and files stay between commands.
- The files live in tmpfs, that is in memory, which the container's memory limit
  caps (also for any tmpfs a student mounts); the writable layer stays near empty
  and is watched like every other. Stopping the container ends the namespaces:
  its files go with it, so an idle playground is removed rather than stopped.
- A kernel with unprivileged user namespaces switched off, or an AppArmor profile
  that denies ``mount`` (Ubuntu's ``docker-default`` does), makes the first
  process fail: ``PlaygroundUnavailable`` says so with the engine's own words.
"""

from __future__ import annotations

import logging
import time

import docker.errors

from bot.errors import NotFound, UserError
from bot.sandbox import labels
from bot.sandbox import overlay_listing as listing
from bot.sandbox.client import EngineClient
from bot.sandbox.labs import all_of, newest, remove_by_id
from bot.sandbox.models import (
    ContainerRow,
    FolderListing,
    OverlayMountView,
    Owner,
    PathFacts,
    PlaygroundRun,
    RunResult,
)
from bot.sandbox.policy import ImagePolicy, image_id
from bot.sandbox.runner import Runner

log = logging.getLogger(__name__)

#: The work area, a tmpfs mounted inside the playground's own mount namespace.
WORK = "/overlay"
#: The uid (and gid) the playground runs as; root inside its user namespace.
USER = "1000:1000"
#: The only capability left, and only in the bounding set (see the module's text).
CAPABILITIES = ("SYS_ADMIN",)
#: Size of the work area's tmpfs (a part of the container's memory limit).
WORK_MB = 64
#: Share of the memory limit in use after a killed command at which the playground
#: counts as full (its tmpfs files hold that memory, and every new process is killed).
FULL_SHARE = 0.9
#: Characters of an engine's error kept as the reason (the reply shows about 100).
CAUSE_LIMIT = 90
#: Seconds the first process gets to mount the work area.
READY_TIMEOUT = 10.0
READY_POLL = 0.05


class PlaygroundUnavailable(UserError):
    """This engine does not let the playground make its namespaces (``reason``: its words)."""

    key = "overlay.unavailable"


def cause(message: str) -> str:
    """The part of an engine's error that names the cause (Go errors end with it:
    "failed to create shim task: …: unable to start container process: exec: …")."""
    _, found, rest = message.rpartition("container process: ")
    return (rest if found else message).strip()[-CAUSE_LIMIT:]


def holder_command(work_mb: int) -> list[str]:
    """The first process: the namespaces, the work area, then wait. It is the container's
    process 1, which inherits every orphan: bash waiting in a loop reaps them (a
    ``sleep`` would not, and a fork bomb's dead would fill the process limit for good)."""
    script = (
        f"mount -t tmpfs -o size={work_mb}m,mode=0755 playground {WORK}"
        " && exec bash -c 'touch /tmp/.layerlab-ready; while :; do sleep 86400 & wait; done'"
    )
    return ["unshare", "--user", "--map-root-user", "--mount", "/bin/sh", "-c", script]


def enter(command: str) -> list[str]:
    """``command`` run inside the playground's namespaces, in the work area. (Entering
    a mount namespace resets the working folder to its root, hence the ``cd``.)"""
    inner = f"cd {WORK} || exit 1\n{command}"
    return [
        "nsenter",
        "--target",
        "1",
        "--user",
        "--mount",
        "--preserve-credentials",
        "--",
        "/bin/sh",
        "-c",
        inner,
    ]


class Playgrounds:
    """Playground containers on one engine, under that engine's limits."""

    def __init__(self, client: EngineClient, policy: ImagePolicy, runner: Runner) -> None:
        self.client = client
        self.policy = policy
        self.runner = runner

    # -- async API -------------------------------------------------------------------

    async def find(self, owner: Owner) -> ContainerRow | None:
        return await self.client.call(self._find, owner)

    async def ensure(self, owner: Owner) -> tuple[ContainerRow, bool]:
        """The student's running playground, made now if there was none (True)."""
        return await self.client.call(self._ensure, owner)

    async def run(self, owner: Owner, command: str) -> PlaygroundRun:
        """The command's result; whether the playground was made for it; whether it had
        to be thrown away after it (its memory full: files in tmpfs count against it)."""
        return await self.client.call(self._run, owner, command)

    async def overlays(self, owner: Owner) -> list[OverlayMountView]:
        """The playground's overlay mounts, each folder listed (``overlay.none`` without
        a playground; it is not made for this)."""
        return await self.client.call(self._overlays, owner)

    async def mounted(self, owner: Owner, folder: str) -> bool:
        """Whether an overlay is mounted on ``folder`` (from the work area, or absolute)."""
        return await self.client.call(self._mounted, owner, folder)

    async def facts(self, owner: Owner, path: str, limit: int) -> PathFacts | None:
        """What ``path`` is in the playground (None: nothing there), with up to ``limit``
        bytes of a regular file."""
        return await self.client.call(self._facts, owner, path, limit)

    async def remove(self, owner: Owner) -> bool:
        """Remove the student's playground; False when there was none."""
        return await self.client.call(self._remove, owner)

    async def all_playgrounds(self, guild_id: int | None = None) -> list[tuple[Owner, ContainerRow]]:
        return await self.client.call(self._all, guild_id)

    async def remove_by_id(self, container_id: str) -> bool:
        return await self.client.call(self._remove_by_id, container_id)

    # -- on the worker threads --------------------------------------------------------------

    def _find(self, owner: Owner) -> ContainerRow | None:
        return newest(self.client.api, owner, labels.PURPOSE_PLAYGROUND)

    def _need(self, owner: Owner) -> ContainerRow:
        found = self._find(owner)
        if found is None:
            raise NotFound("overlay.none")
        return found

    def _ensure(self, owner: Owner) -> tuple[ContainerRow, bool]:
        found = self._find(owner)
        if found is not None and found.state == "running":
            return found, False
        if found is not None:  # stopped: its namespaces and files are gone already
            self._remove_by_id(found.id)
        image = self.policy.default_image
        if not image_id(self.client.api, image):
            raise UserError("error.image_not_present", image=image)
        container_id = self.runner.create(
            image,
            holder_command(WORK_MB),
            labels.labels(owner, labels.PURPOSE_PLAYGROUND),
            keep=True,
            user=USER,
            capabilities=CAPABILITIES,
            working_dir=WORK,
        )
        try:
            try:
                self.client.api.start(container_id)
            except docker.errors.APIError as exc:  # its first process cannot even start
                raise PlaygroundUnavailable(reason=cause(str(exc.explanation or exc))) from exc
            self._wait_ready(container_id)
        except BaseException:
            self.runner.remove(container_id)
            raise
        return self._need(owner), True

    def _wait_ready(self, container_id: str) -> None:
        """Until the first process has mounted the work area; its own words when it fails."""
        api = self.client.api
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            state = api.inspect_container(container_id)["State"]
            if not state.get("Running"):
                words = api.logs(container_id, stdout=True, stderr=True)[-500:].decode("utf-8", "replace")
                log.warning("A playground failed on %s: %s", self.client.name, words.strip())
                raise PlaygroundUnavailable(reason=cause(words) or f"exit code {state.get('ExitCode')}")
            try:
                api.get_archive(container_id, "/tmp/.layerlab-ready")
                return
            except docker.errors.NotFound:
                time.sleep(READY_POLL)
        raise PlaygroundUnavailable(reason=f"not ready after {READY_TIMEOUT:g} s")

    def _run(self, owner: Owner, command: str) -> PlaygroundRun:
        playground, created = self._ensure(owner)
        try:
            result = self._exec(playground, command)
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: "is not running"
                raise
            # Its first process died between the look and the exec (killed for memory
            # right after the last command): its files are gone, so a fresh one.
            self._remove_by_id(playground.id)
            playground, created = self._ensure(owner)
            result = self._exec(playground, command)
        # 137: killed (SIGKILL); 126: killed before the command could start.
        ended_by_us = result.timed_out or result.output_truncated or result.disk_stopped or result.disk_low
        killed = result.exit_code in (126, 137) and not (ended_by_us or result.interrupted)
        if killed and not self._usable(playground.id):
            # Its first process was killed (its namespaces, and files, are gone), or
            # nothing can run in it any more (each new process is killed at once, and
            # the files holding the memory cannot be removed by a process that is killed).
            self._remove_by_id(playground.id)
            return PlaygroundRun(result, created, wiped=True)
        return PlaygroundRun(result, created)

    def _usable(self, container_id: str) -> bool:
        """Whether a command can still run in the playground: it runs, its memory is not
        full, and a ``true`` run in it ends well."""
        if not self._running(container_id) or self._memory_full(container_id):
            return False
        api = self.client.api
        try:
            probe = api.exec_create(container_id, ["true"])["Id"]
            api.exec_start(probe)
            return bool(api.exec_inspect(probe).get("ExitCode") == 0)
        except docker.errors.APIError:
            return False

    def _mounted(self, owner: Owner, folder: str) -> bool:
        playground = self._need(owner)
        if playground.state != "running":
            return False
        info = self._exec(playground, "cat /proc/self/mountinfo")
        wanted = listing.resolve(WORK, folder)
        return any(
            m.mountpoint == wanted
            for m in listing.overlay_mounts(info.output.decode("utf-8", "replace"), WORK)
        )

    def _facts(self, owner: Owner, path: str, limit: int) -> PathFacts | None:
        playground = self._need(owner)
        if playground.state != "running":
            return None
        run = self._exec(playground, listing.facts_script(listing.resolve(WORK, path), limit))
        return listing.parse_facts(listing.sections(run.output.decode("utf-8", "replace")))

    def _overlays(self, owner: Owner) -> list[OverlayMountView]:
        playground = self._need(owner)
        if playground.state != "running":  # its namespaces ended: nothing is mounted
            return []
        info = self._exec(playground, "cat /proc/self/mountinfo")
        mounts = listing.overlay_mounts(info.output.decode("utf-8", "replace"), WORK)
        if not mounts:
            return []
        folders: list[str] = []
        for mount in mounts:
            folders += [*mount.lowers, *([mount.upper] if mount.upper else []), mount.mountpoint]
        uppers = [m.upper for m in mounts if m.upper]
        listed = self._exec(playground, listing.listing_script(folders, uppers))
        found = listing.sections(listed.output.decode("utf-8", "replace"))
        views, index, upper_index = [], 0, 0

        def take(folder: str, opaque: frozenset[str] = frozenset()) -> FolderListing:
            nonlocal index
            one = listing.parse_listing(folder, found.get(str(index)), opaque)
            index += 1
            return one

        for mount in mounts:
            lowers = tuple(take(folder) for folder in mount.lowers)
            upper = None
            if mount.upper:
                upper = take(mount.upper, listing.opaque_dirs(found.get(f"x{upper_index}")))
                upper_index += 1
            merged = take(mount.mountpoint)
            views.append(OverlayMountView(mount.mountpoint, lowers, upper, mount.work, merged, mount.other))
        return views

    def _exec(self, playground: ContainerRow, command: str) -> RunResult:
        return self.runner.run_exec(
            playground.id, playground.image, playground.names, command, argv=enter(command)
        )

    def _running(self, container_id: str) -> bool:
        try:
            return bool(self.client.api.inspect_container(container_id)["State"].get("Running"))
        except docker.errors.NotFound:
            return False

    def _memory_full(self, container_id: str) -> bool:
        try:
            memory = (
                self.client.api.stats(container_id, stream=False, one_shot=True).get("memory_stats") or {}
            )
        except docker.errors.APIError:
            return False
        # As `docker stats` counts it: the page cache the kernel can drop is not "used"
        # (cgroup v2 reports it as inactive_file, v1 as total_inactive_file); tmpfs is.
        stats = memory.get("stats") or {}
        cache = int(stats.get("inactive_file", stats.get("total_inactive_file", 0)) or 0)
        usage, limit = int(memory.get("usage") or 0) - cache, int(memory.get("limit") or 0)
        return limit > 0 and usage >= FULL_SHARE * limit

    def _remove(self, owner: Owner) -> bool:
        found = self._find(owner)
        return found is not None and self._remove_by_id(found.id)

    def _all(self, guild_id: int | None) -> list[tuple[Owner, ContainerRow]]:
        return all_of(self.client.api, labels.PURPOSE_PLAYGROUND, guild_id)

    def _remove_by_id(self, container_id: str) -> bool:
        return remove_by_id(self.client.api, container_id)
