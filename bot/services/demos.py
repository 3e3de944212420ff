"""The demos behind /diff, /history, /commit, /images, /rmi and /info.

Each call resolves what the student typed, runs it on the sandbox (one job per
student, a bounded number on the host), and records the run, refusals and
failures included.
"""

from __future__ import annotations

import logging
import posixpath

from bot.errors import UserError
from bot.sandbox.layer_diff import ImageLayers
from bot.sandbox.models import (
    Change,
    CommitResult,
    EngineInfo,
    ImageDetails,
    ImageHistory,
    ImageRef,
    ImagesOverview,
    Owner,
    RemoveResult,
    RunResult,
)
from bot.services.fleet import Fleet
from bot.services.jobs import OnWait
from bot.services.recording import Recorder

log = logging.getLogger(__name__)

#: The seed's first command: what /diff runs when no command is given.
DEFAULT_DIFF_COMMAND = "echo Hallo > /tmp/testfile"
#: The longest shell command a student may send (Discord allows 6000 for an option).
MAX_COMMAND_LENGTH = 2000
#: The longest path /whence looks up (Linux's PATH_MAX).
MAX_PATH_LENGTH = 4096


def check_command(command: str) -> str:
    command = command.strip()
    if not command:
        raise UserError("error.empty_command")
    if len(command) > MAX_COMMAND_LENGTH:
        raise UserError("error.command_too_long", limit=MAX_COMMAND_LENGTH)
    if "\x00" in command:
        raise UserError("error.command_nul")
    return command


def check_path(path: str) -> str:
    """An absolute path as a container sees it, normalised (``/etc//motd/`` is ``/etc/motd``)."""
    path = path.strip()
    if not path.startswith("/") or "\x00" in path or len(path) > MAX_PATH_LENGTH:
        raise UserError("whence.bad_path", limit=MAX_PATH_LENGTH)
    return posixpath.normpath(path).replace("//", "/")


class Demos:
    def __init__(self, fleet: Fleet, recorder: Recorder, default_image: str) -> None:
        self.fleet = fleet
        self.recorder = recorder
        self.default_image = default_image

    async def diff(
        self, owner: Owner, command: str | None, image: str | None, on_wait: OnWait | None = None
    ) -> RunResult:
        shell = command if command is not None else DEFAULT_DIFF_COMMAND
        async with self.recorder.record(owner, "diff", image, shell) as record:
            shell = check_command(shell)
            engine = await self.fleet.of(owner, record)
            ref = await engine.sandbox.policy.resolve(owner, image)
            record.image = ref.shown
            async with engine.gate.slot(owner.key, on_wait):
                result = await engine.sandbox.runner.run(owner, ref, shell)
            record.finished(result)
            return result

    async def history(self, owner: Owner, image: str) -> tuple[ImageRef, ImageHistory]:
        async with self.recorder.record(owner, "history", image) as record:
            engine = await self.fleet.of(owner, record)
            ref = await engine.sandbox.policy.resolve(owner, image)
            record.image = ref.shown
            return ref, await engine.sandbox.images.history_with_base(ref)

    async def commit(
        self,
        owner: Owner,
        name: str | None,
        command: str,
        image: str | None,
        on_wait: OnWait | None = None,
    ) -> tuple[ImageRef, CommitResult]:
        """Run ``command`` and commit it as the student's ``name`` (None: a trial,
        committed under a one-off name and removed again)."""
        async with self.recorder.record(owner, "commit", image, command) as record:
            shell = check_command(command)
            engine = await self.fleet.of(owner, record)
            base = await engine.sandbox.policy.resolve(owner, image)
            record.image = base.shown
            async with engine.gate.slot(owner.key, on_wait):
                images = engine.sandbox.images
                result = await (
                    images.commit_trial(owner, base, shell)
                    if name is None
                    else images.commit(owner, name, base, shell)
                )
            record.finished(result.run)
            return base, result

    async def commit_trial(
        self, owner: Owner, command: str, image: str | None, on_wait: OnWait | None = None
    ) -> tuple[ImageRef, CommitResult]:
        """A commit that is shown and removed again (a lesson's or a quiz's demo)."""
        return await self.commit(owner, None, command, image, on_wait)

    async def layers(self, owner: Owner, image: str) -> tuple[ImageRef, ImageLayers]:
        """What each layer of an image holds (``docker save`` read as a stream: one
        job slot, since a large image keeps the engine busy for a while)."""
        async with self.recorder.record(owner, "layers", image) as record:
            engine = await self.fleet.of(owner, record)
            ref = await engine.sandbox.policy.resolve(owner, image)
            record.image = ref.shown
            async with engine.gate.slot(owner.key):
                return ref, await engine.sandbox.images.layers(ref)

    async def whence(
        self, owner: Owner, path: str, image: str | None
    ) -> tuple[ImageRef, ImageLayers, tuple[Change, ...] | None]:
        """Where ``path`` comes from in an image, or (no image) in the student's lab
        container: its image's layers, then its writable layer (``docker diff``)."""
        path = check_path(path)
        async with self.recorder.record(owner, "whence", image, path) as record:
            engine = await self.fleet.of(owner, record)
            changes: tuple[Change, ...] | None = None
            if image is None:
                lab, changes = await engine.sandbox.labs.diff(owner)  # lab.none without one
                image = lab.image
            ref = await engine.sandbox.policy.resolve(owner, image)
            record.image = ref.shown
            async with engine.gate.slot(owner.key):
                return ref, await engine.sandbox.images.layers(ref), changes

    async def compare_layers(
        self, owner: Owner, a: str, b: str
    ) -> tuple[tuple[ImageRef, ImageLayers], tuple[ImageRef, ImageLayers]]:
        return await self.layers(owner, a), await self.layers(owner, b)

    async def images(self, owner: Owner) -> ImagesOverview:
        async with self.recorder.record(owner, "images") as record:
            engine = await self.fleet.of(owner, record)
            return await engine.sandbox.images.overview(owner)

    async def remove_image(self, owner: Owner, name: str) -> RemoveResult:
        async with self.recorder.record(owner, "rmi", name) as record:
            engine = await self.fleet.of(owner, record)
            return await engine.sandbox.images.remove(owner, name)

    async def info(self, owner: Owner) -> EngineInfo:
        async with self.recorder.record(owner, "info") as record:
            engine = await self.fleet.of(owner, record)
            return await engine.sandbox.host.info(owner)

    async def inspect_image(self, owner: Owner, image: str | None) -> tuple[ImageRef, ImageDetails]:
        async with self.recorder.record(owner, "inspect", image) as record:
            engine = await self.fleet.of(owner, record)
            ref = await engine.sandbox.policy.resolve(owner, image)
            record.image = ref.shown
            return ref, await engine.sandbox.images.inspect(ref)

    async def image_names(self, owner: Owner) -> list[str]:
        """What a student may type as an image: their own first, then the base images."""
        sandbox = (await self.fleet.of(owner)).sandbox
        overview = await sandbox.images.overview(owner)
        own = [f"{i.repository}:{i.tag}" for i in overview.own]
        return own + [b for b in sandbox.policy.base_images if b not in overview.missing_base]
