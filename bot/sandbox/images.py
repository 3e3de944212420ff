"""Image operations of the course: history, the image list, commit (of a one-shot
run or of a lab container), removal, inspect, and pulling base images (the
operator's ``layerlab images prepare``: the only way the bot ever pulls)."""

from __future__ import annotations

import logging
import secrets
import tarfile
from collections import OrderedDict
from collections.abc import Callable

import docker.errors

from bot.errors import ImageNotPresent, NotFound, ShuttingDown, UserError
from bot.sandbox import labels, refs
from bot.sandbox.client import EngineClient, parse_time
from bot.sandbox.container_facts import layer_size
from bot.sandbox.layer_diff import ImageLayers, image_layers
from bot.sandbox.models import (
    CommitResult,
    HistoryEntry,
    ImageDetails,
    ImageHistory,
    ImageRef,
    ImagesOverview,
    ImageSummary,
    Owner,
    RemoveResult,
)
from bot.sandbox.policy import ImagePolicy, image_id
from bot.sandbox.runner import Runner
from bot.sandbox.saved_image import SaveFormatError, read_save

log = logging.getLogger(__name__)

#: The name of a trial commit's image; its tag is random. A bot killed during a
#: trial leaves it among the student's images, where /rmi removes it.
TRIAL_NAME = "tryit"
#: Images whose layer listings are kept in memory, and the read size of `docker save`.
LAYER_CACHE = 16
SAVE_CHUNK = 1024 * 1024


class Images:
    def __init__(self, client: EngineClient, policy: ImagePolicy, runner: Runner) -> None:
        self.client = client
        self.policy = policy
        self.runner = runner
        #: Layer listings by image ID, newest used last (an ID never changes content).
        self._layer_cache: OrderedDict[str, ImageLayers] = OrderedDict()

    # -- async API ------------------------------------------------------------------

    async def history(self, image: ImageRef) -> tuple[HistoryEntry, ...]:
        return await self.client.call(self.history_now, image.engine_ref)

    async def history_with_base(self, image: ImageRef) -> ImageHistory:
        """The history, and which of its bottom rows the base image made."""
        return await self.client.call(self._history_with_base, image.engine_ref)

    async def commit(self, owner: Owner, name: str, image: ImageRef, command: str) -> CommitResult:
        """Run ``command`` in a fresh container of ``image`` and commit it as ``name``."""
        own = self.policy.own_name(name)
        return await self.client.call(self._commit_oneshot, owner, own, image, command)

    async def commit_trial(self, owner: Owner, image: ImageRef, command: str) -> CommitResult:
        """A commit shown and thrown away (a lesson's or quiz's demo): run ``command``,
        commit it under a one-off name of the student's (``tryit:<random>``, never one
        they chose, and outside the quota), read its history and CMD, remove it."""
        own = refs.OwnName(name=TRIAL_NAME, tag=secrets.token_hex(4))
        return await self.client.call(self._commit_oneshot, owner, own, image, command, True)

    async def layers(self, image: ImageRef) -> ImageLayers:
        """What each layer of ``image`` holds, read by streaming ``docker save``
        (cached by image ID: the same ID is the same layers)."""
        return await self.client.call(self._layers, image.engine_ref)

    async def overview(self, owner: Owner) -> ImagesOverview:
        """``docker images`` as the student sees it: their own, then the base images."""
        return await self.client.call(self._overview, owner)

    async def remove(self, owner: Owner, name: str) -> RemoveResult:
        own = refs.parse_own_name(name)
        return await self.client.call(self._remove, owner, own)

    async def inspect(self, image: ImageRef) -> ImageDetails:
        return await self.client.call(self._inspect, image.engine_ref)

    async def layers_over_base(self, image: ImageRef) -> int:
        """How many layers ``image`` has on top of the base image it was made from."""
        return await self.client.call(self._layers_over_base, image.engine_ref)

    async def remove_all(self, owner: Owner) -> int:
        """Remove every image this student owns in this course server (privacy)."""
        return await self.client.call(self._remove_all, owner)

    async def prepare(self, ref: str, progress: Callable[[int, int], None]) -> bool:
        """Make sure a base image is on the engine, pulling it if missing.
        ``progress(done, total)`` gets bytes downloaded so far. True when it pulled."""
        return await self.client.call(self._prepare, ref, progress)

    # -- on the worker threads --------------------------------------------------------

    def history_now(self, engine_ref: str) -> tuple[HistoryEntry, ...]:
        try:
            rows = self.client.api.history(engine_ref)
        except docker.errors.ImageNotFound as exc:
            raise ImageNotPresent(image=engine_ref) from exc
        return tuple(
            HistoryEntry(
                id=row["Id"],
                created=parse_time(row["Created"]),
                created_by=row.get("CreatedBy") or "",
                size=int(row.get("Size") or 0),
                comment=row.get("Comment") or "",
                tags=tuple(row.get("Tags") or ()),
            )
            for row in rows
        )

    def _history_with_base(self, engine_ref: str) -> ImageHistory:
        entries = self.history_now(engine_ref)
        base, _ = self._base_of(self._inspect(engine_ref).layers)
        if base is None:
            return ImageHistory(entries)
        try:
            base_entries = self.history_now(base)
        except ImageNotPresent:  # removed in between
            return ImageHistory(entries)
        # The base's rows are the bottom rows of the image's (same step, time and size).
        rows = 0
        for mine, theirs in zip(reversed(entries), reversed(base_entries), strict=False):
            if (mine.created_by, mine.created, mine.size) != (theirs.created_by, theirs.created, theirs.size):
                break
            rows += 1
        return ImageHistory(entries, rows, base if rows else "")

    def commit_container(
        self, owner: Owner, own: refs.OwnName, container_id: str, replaced: str | None
    ) -> tuple[ImageRef, str, tuple[HistoryEntry, ...], tuple[str, ...] | None]:
        """``docker commit`` under the student's name; refuses an oversized layer.
        ``replaced`` (from ``ImagePolicy.replaced_by``) is dropped when nothing else uses it."""
        api = self.client.api
        self.runner.disk.refuse_if_low()  # a commit writes a new layer to the same disk
        size = layer_size(api, container_id) or 0
        if size > self.runner.limits.writable_bytes:
            raise UserError("error.layer_too_big", size=size, limit=self.runner.limits.writable_bytes)
        image_labels = labels.labels(owner, labels.PURPOSE_IMAGE, **{labels.NAME: str(own)})
        committed = api.commit(
            container_id, repository=own.engine_repository(owner), tag=own.tag, conf={"Labels": image_labels}
        )
        new_id = str(committed["Id"])
        if replaced and replaced != new_id:
            self._drop_untagged(replaced)
        shown = ImageRef(shown=str(own), engine_ref=own.engine_ref(owner), own=True)
        cmd = (api.inspect_image(new_id).get("Config") or {}).get("Cmd")
        return shown, new_id, self.history_now(new_id), tuple(cmd) if cmd is not None else None

    def _commit_oneshot(
        self, owner: Owner, own: refs.OwnName, image: ImageRef, command: str, trial: bool = False
    ) -> CommitResult:
        replaced = None if trial else self.policy.replaced_by(owner, own)
        container_id = None
        try:
            container_id = self.runner.create(
                image.engine_ref, ["/bin/sh", "-c", command], labels.labels(owner, labels.PURPOSE_ONESHOT)
            )
            run = self.runner.run_created(container_id, image, command)
            if run.interrupted:  # half a command is no image: nothing is committed
                raise ShuttingDown()
            shown, new_id, history, cmd = self.commit_container(owner, own, container_id, replaced)
        finally:
            self.runner.remove(container_id)
        if trial:
            self.client.api.remove_image(new_id, force=True)
        return CommitResult(
            image=shown,
            image_id=new_id,
            run=run,
            history=history,
            replaced_id=replaced,
            cmd=cmd,
            removed=trial,
        )

    def _drop_untagged(self, old_id: str) -> None:
        api = self.client.api
        try:
            if not api.inspect_image(old_id).get("RepoTags"):
                api.remove_image(old_id)
                self._layer_cache.pop(old_id, None)
        except docker.errors.APIError as exc:  # still a parent of another image: keep it
            log.info("Kept replaced image %s: %s", old_id, exc)

    def _overview(self, owner: Owner) -> ImagesOverview:
        own = tuple(
            ImageSummary(
                repository=name.name,
                tag=name.tag,
                id=summary["Id"],
                created=parse_time(summary["Created"]),
                size=int(summary.get("Size") or 0),
            )
            for name, summary in self.policy.own_images(owner)
        )
        base: list[ImageSummary] = []
        missing: list[str] = []
        for ref in self.policy.base_images:
            # The image list's summary, as `docker images` reads it: on the containerd
            # store its Size (content and unpacked layers) is not the inspect's.
            summary = next(
                (s for s in self.client.api.images(name=ref) if ref in (s.get("RepoTags") or ())), None
            )
            if summary is None:
                missing.append(ref)
                continue
            parsed = refs.parse(ref)
            base.append(
                ImageSummary(
                    repository=parsed.repository,
                    tag=parsed.tag or "<none>",
                    id=summary["Id"],
                    created=parse_time(summary["Created"]),
                    size=int(summary.get("Size") or 0),
                )
            )
        return ImagesOverview(
            own=own, base=tuple(base), missing_base=tuple(missing), quota=self.policy.image_quota
        )

    def _remove(self, owner: Owner, own: refs.OwnName) -> RemoveResult:
        engine_ref = own.engine_ref(owner)
        if not any(str(name) == str(own) for name, _ in self.policy.own_images(owner)):
            raise NotFound("error.no_such_own_image", name=str(own))
        try:
            answer = self.client.api.remove_image(engine_ref)
        except docker.errors.APIError as exc:
            if exc.status_code == 409:
                raise UserError("error.image_in_use", name=str(own)) from exc
            raise
        lines: list[tuple[str, str]] = []
        for item in answer or ():
            self._layer_cache.pop(str(item.get("Deleted", "")), None)  # dropped with the image
            for kind in ("Untagged", "Deleted"):
                if kind in item:
                    lines.append((kind, str(own) if item[kind] == engine_ref else item[kind]))
        return RemoveResult(lines=tuple(lines))

    def _inspect(self, engine_ref: str) -> ImageDetails:
        try:
            data = self.client.api.inspect_image(engine_ref)
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
            # Docker 29 (API 1.52) has no GraphDriver on the containerd store, but Storage.
            driver=str(
                (data.get("GraphDriver") or {}).get("Name")
                or ((data.get("Storage") or {}).get("RootFS") or {}).get("Snapshot", {}).get("Name")
                or ""
            ),
            root_dir=str(self.client.api.info().get("DockerRootDir") or "/var/lib/docker"),
        )

    def _layers_over_base(self, engine_ref: str) -> int:
        layers = self._inspect(engine_ref).layers
        return len(layers) - self._base_prefix(layers, strict=False)

    def _layers(self, engine_ref: str) -> ImageLayers:
        details = self._inspect(engine_ref)
        cached = self._layer_cache.get(details.id)
        if cached is not None:
            self._layer_cache.move_to_end(details.id)
            return cached
        try:
            saved = read_save(self.client.api.get_image(engine_ref, chunk_size=SAVE_CHUNK))
        except docker.errors.ImageNotFound as exc:
            raise ImageNotPresent(image=engine_ref) from exc
        except (SaveFormatError, tarfile.TarError, EOFError, OSError) as exc:
            log.warning("Could not read the layers of %s: %s", engine_ref, exc)
            raise UserError("layers.unreadable", reason=str(exc)[:200]) from exc
        found = image_layers(details.id, saved, self._base_prefix(details.layers))
        self._layer_cache[details.id] = found
        while len(self._layer_cache) > LAYER_CACHE:
            self._layer_cache.popitem(last=False)
        return found

    def _base_prefix(self, layers: tuple[str, ...], *, strict: bool = True) -> int:
        """How many bottom layers an image shares with the base image it was made from."""
        return self._base_of(layers, strict=strict)[1]

    def _base_of(self, layers: tuple[str, ...], *, strict: bool = True) -> tuple[str | None, int]:
        """The base image an image was made from, and how many bottom layers they
        share: the longest base image of the course whose layers it starts with
        (``strict``: an image is not its own base)."""
        best: tuple[str | None, int] = (None, 0)
        for base in self.policy.base_images:
            try:
                base_layers = self._inspect(base).layers
            except ImageNotPresent:
                continue
            shares = layers[: len(base_layers)] == base_layers
            if shares and (not strict or len(base_layers) < len(layers)) and len(base_layers) > best[1]:
                best = (base, len(base_layers))
        return best

    def _remove_all(self, owner: Owner) -> int:
        removed = 0
        for name, _ in self.policy.own_images(owner):
            try:
                self.client.api.remove_image(name.engine_ref(owner), force=True)
                removed += 1
            except docker.errors.NotFound:
                pass
        return removed

    def _prepare(self, ref: str, progress: Callable[[int, int], None]) -> bool:
        api = self.client.api
        if image_id(api, ref):
            return False
        parsed = refs.parse(ref)
        layers: dict[str, tuple[int, int]] = {}
        try:
            for event in api.pull(parsed.repository, tag=parsed.tag, stream=True, decode=True):
                if "error" in event:
                    raise UserError("images.pull_failed", image=ref, reason=str(event["error"]))
                detail = event.get("progressDetail") or {}
                if event.get("id") and detail.get("total"):
                    layers[event["id"]] = (int(detail.get("current", 0)), int(detail["total"]))
                    progress(sum(c for c, _ in layers.values()), sum(t for _, t in layers.values()))
        except docker.errors.APIError as exc:
            raise UserError("images.pull_failed", image=ref, reason=exc.explanation or str(exc)) from exc
        if not image_id(api, ref):
            raise UserError("images.pull_failed", image=ref, reason="the engine reported no image")
        return True
