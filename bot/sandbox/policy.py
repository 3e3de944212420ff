"""Which images a student may use, and under which names: the base images the
course offers, the student's own images (per-owner repositories), the quota.

Nothing here changes the engine; it only looks (``inspect``, ``images``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import docker.errors

from bot.errors import BadName, ImageNotAllowed, ImageNotPresent, QuotaExceeded
from bot.sandbox import labels, refs
from bot.sandbox.client import EngineClient
from bot.sandbox.models import ImageRef, Owner


def image_id(api: Any, ref: str) -> str | None:
    """The id of the image ``ref`` names on the engine, None when there is none (worker thread)."""
    try:
        return str(api.inspect_image(ref)["Id"])
    except docker.errors.ImageNotFound:
        return None


class ImagePolicy:
    def __init__(
        self, client: EngineClient, *, base_images: Sequence[str], default_image: str, image_quota: int
    ) -> None:
        self.client = client
        self.base_images = tuple(dict.fromkeys(refs.normalize(i) for i in base_images))
        self.default_image = refs.normalize(default_image)
        self.image_quota = image_quota

    # -- async API ------------------------------------------------------------------

    async def resolve(self, owner: Owner, text: str | None) -> ImageRef:
        """What image ``text`` means for this student; refuses what is not on offer."""
        return await self.client.call(self.resolve_now, owner, text or self.default_image)

    # -- without the engine -----------------------------------------------------------

    def own_name(self, text: str) -> refs.OwnName:
        """A name a student gives an image: valid, and not one of the base images' names."""
        own = refs.parse_own_name(text)
        if own.name in {refs.parse(b).repository for b in self.base_images}:
            raise BadName("name.is_base", name=own.name)
        return own

    # -- on the worker threads --------------------------------------------------------

    def resolve_now(self, owner: Owner, text: str) -> ImageRef:
        ref = refs.parse(text)
        api = self.client.api
        if "/" not in ref.repository and ref.digest is None and ref.tag is not None:
            try:
                own = refs.parse_own_name(f"{ref.repository}:{ref.tag}")
            except BadName:
                own = None
            if own is not None and image_id(api, own.engine_ref(owner)):
                return ImageRef(shown=str(own), engine_ref=own.engine_ref(owner), own=True)
        shown = str(ref)
        if shown not in self.base_images:
            raise ImageNotAllowed(image=shown, offered=", ".join(self.base_images))
        if not image_id(api, shown):
            raise ImageNotPresent(image=shown)
        return ImageRef(shown=shown, engine_ref=shown, own=False)

    def own_images(self, owner: Owner) -> list[tuple[refs.OwnName, dict[str, Any]]]:
        """The student's tagged images, as (their name, the engine's summary)."""
        prefix = refs.owner_prefix(owner)
        found = []
        for image in self.client.api.images(filters=labels.owner_filter(owner)):
            for tag in image.get("RepoTags") or ():
                if tag.startswith(prefix):
                    name, _, version = tag[len(prefix) :].rpartition(":")
                    found.append((refs.OwnName(name=name, tag=version), image))
        return found

    def replaced_by(self, owner: Owner, own: refs.OwnName) -> str | None:
        """The image ``own`` names now (it will be replaced), after the quota check."""
        existing = {str(name): summary["Id"] for name, summary in self.own_images(owner)}
        replaced = existing.get(str(own))
        if replaced is None and len(existing) >= self.image_quota:
            raise QuotaExceeded(quota=self.image_quota, names=", ".join(sorted(existing)))
        return replaced
