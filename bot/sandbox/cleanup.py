"""What the bot's labels tell about an engine: one-shot and warm containers a
crash left behind (removed by age), and whether a student has anything here at all."""

from __future__ import annotations

import logging
from datetime import datetime

import docker.errors

from bot.clock import utcnow
from bot.sandbox import labels
from bot.sandbox.client import EngineClient, parse_time
from bot.sandbox.models import Owner
from bot.sandbox.runner import WAIT_GRACE
from bot.sandbox.warm import MAX_AGE as WARM_AGE

log = logging.getLogger(__name__)

#: A one-shot container older than its timeout plus this is a leftover: no bot
#: process is still waiting for it (each kills its own at the deadline).
STALE_MARGIN = WAIT_GRACE + 30.0


class Cleanup:
    def __init__(self, client: EngineClient, timeout: float) -> None:
        self.client = client
        self.timeout = timeout

    async def remove_leftovers(self, *, older_than: float | None = None) -> int:
        """Remove one-shot containers a crash left behind; returns how many.

        Only those older than any live job can be (``older_than``, default the
        timeout plus a margin): another bot process on the same engine may be
        running the younger ones right now.
        """
        if older_than is None:
            older_than = self.timeout + STALE_MARGIN
        return await self.client.call(self._remove_leftovers, older_than)

    async def owns_anything(self, owner: Owner) -> bool:
        """Whether this student has a container or an image of their own here."""
        return await self.client.call(self._owns_anything, owner)

    def _remove_leftovers(self, older_than: float) -> int:
        api = self.client.api
        removed = 0
        now = utcnow()
        for row in api.containers(all=True, filters={"label": labels.PURPOSE}):
            row_labels = row.get("Labels") or {}
            purpose = row_labels.get(labels.PURPOSE)
            if purpose not in (labels.PURPOSE_ONESHOT, labels.PURPOSE_WARM):
                continue  # labs and playgrounds have janitors of their own
            # A live bot retires its warm containers at WARM_AGE and uses one for a
            # job's time at most: one older than both is a crashed process's.
            older = older_than + (WARM_AGE if purpose == labels.PURPOSE_WARM else 0.0)
            label = row_labels.get(labels.CREATED)
            try:
                created = datetime.fromisoformat(label) if label else parse_time(row["Created"])
            except ValueError:
                created = parse_time(row["Created"])
            if (now - created).total_seconds() < older:
                continue
            try:
                api.remove_container(row["Id"], force=True)
                removed += 1
            except docker.errors.NotFound:
                pass
        if removed:
            log.info("Removed %d leftover one-shot or warm container(s) on %s", removed, self.client.name)
        return removed

    def _owns_anything(self, owner: Owner) -> bool:
        filters = labels.owner_filter(owner)
        api = self.client.api
        return bool(api.containers(all=True, filters=filters, quiet=True)) or bool(
            api.images(filters=filters, quiet=True)
        )
