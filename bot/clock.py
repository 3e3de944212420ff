"""The one clock of the bot: aware UTC times (stored, compared, shown as "N ago")."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
