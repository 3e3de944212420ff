"""What the fake Discord knows: ids, users, the requests the bot made, the
interactions sent to it."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
_increment = itertools.count()


def snowflake() -> str:
    """A fresh id whose timestamp is now, as Discord's are."""
    millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return str((millis << 22) | (next(_increment) & 0x3FFFFF))


def now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class FakeUser:
    id: int
    name: str
    roles: tuple[int, ...] = ()
    permissions: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
        }


@dataclass
class Recorded:
    """One request the bot made: what, for which interaction, with which payload."""

    kind: str  # callback | followup | edit | delete | channel_message | commands
    token: str | None
    payload: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    message_id: str | None = None
    at: float = field(default_factory=time.monotonic)  # when it arrived (benchmarks)


@dataclass
class FakeInteraction:
    id: str
    token: str
    user: FakeUser
    payload: dict[str, Any]
    sent_at: float
    responses: list[Recorded] = field(default_factory=list)
    original_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # set at the first response
