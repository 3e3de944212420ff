"""What the bot keeps about a student, and forgetting all of it (the course is in the EU)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox import Sandbox
from bot.sandbox.models import Owner
from bot.services.labs import Labs
from bot.services.preferences import Preferences
from bot.store import Store, StoredAbout


@dataclass(frozen=True, slots=True)
class AboutYou:
    rows: StoredAbout
    images: int
    lab_container: bool


@dataclass(frozen=True, slots=True)
class Forgotten:
    rows: int
    images: int
    lab_containers: int


class Privacy:
    def __init__(self, store: Store, sandbox: Sandbox, labs: Labs, preferences: Preferences) -> None:
        self.store = store
        self.sandbox = sandbox
        self.labs = labs
        self.preferences = preferences

    async def about(self, owner: Owner) -> AboutYou:
        overview = await self.sandbox.images(owner)
        lab = await self.labs.engine.find(owner)
        return AboutYou(
            rows=await self.store.stored_about(owner.guild_id, owner.user_id),
            images=len(overview.own),
            lab_container=lab is not None,
        )

    async def forget(self, owner: Owner) -> Forgotten:
        """Docker objects first (a failure there leaves the rows that point at them),
        then every row, in one transaction."""
        labs = await self.labs.reap(owner.guild_id, owner.user_id)
        images = await self.sandbox.remove_all_images(owner)
        rows = await self.store.delete_user_data(owner.guild_id, owner.user_id)
        self.preferences.forget(owner.user_id)
        return Forgotten(rows=rows, images=images, lab_containers=labs)
