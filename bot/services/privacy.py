"""What the bot keeps about a student, and forgetting all of it (the course is in the EU)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.models import Owner
from bot.services.fleet import Fleet
from bot.services.labs import Labs
from bot.services.playground import Playground
from bot.services.preferences import Preferences
from bot.store import PrivacyStore, StoredAbout


@dataclass(frozen=True, slots=True)
class AboutYou:
    rows: StoredAbout
    images: int
    lab_container: bool
    playground: bool = False


@dataclass(frozen=True, slots=True)
class Forgotten:
    rows: int
    images: int
    lab_containers: int


class Privacy:
    def __init__(
        self, store: PrivacyStore, fleet: Fleet, labs: Labs, preferences: Preferences, playground: Playground
    ) -> None:
        self.store = store
        self.fleet = fleet
        self.labs = labs
        self.preferences = preferences
        self.playground = playground

    async def about(self, owner: Owner) -> AboutYou:
        """What is kept, looked up on every engine that may hold this student's
        things (theirs, or all of them when they were never placed)."""
        images = 0
        lab = playground = False
        for engine in self.fleet.holding(owner):
            images += len((await engine.sandbox.images.overview(owner)).own)
            lab = lab or await engine.sandbox.labs.find(owner) is not None
            playground = playground or await engine.sandbox.playgrounds.find(owner) is not None
        return AboutYou(
            rows=await self.store.stored_about(owner.guild_id, owner.user_id),
            images=images,
            lab_container=lab,
            playground=playground,
        )

    async def forget(self, owner: Owner) -> Forgotten:
        """Docker objects first, on every engine that may hold them (``Labs.reap``
        refuses unless all of them answer: nothing is deleted then), then every
        row, placement included, in one transaction."""
        reaped = await self.labs.reap(owner.guild_id, owner.user_id, require_all=True)
        await self.playground.forget(owner)
        images = 0
        for engine in self.fleet.holding(owner):
            images += await engine.sandbox.images.remove_all(owner)
        rows = await self.store.delete_user_data(owner.guild_id, owner.user_id)
        self.fleet.forget(owner)
        self.preferences.forget(owner.user_id)
        return Forgotten(rows=rows, images=images, lab_containers=reaped.removed)
