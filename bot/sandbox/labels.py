"""The labels on every container and image the bot makes, and the filters that
find them again: whose it is (guild and user), what for, and since when."""

from __future__ import annotations

from bot.clock import utcnow
from bot.sandbox.models import Owner

PREFIX = "org.layerlab."
OWNER = PREFIX + "owner"
GUILD = PREFIX + "guild"
PURPOSE = PREFIX + "purpose"
CREATED = PREFIX + "created"
NAME = PREFIX + "name"

#: A short-lived container of one command (removed by whoever started it).
PURPOSE_ONESHOT = "oneshot"
#: A student's committed image.
PURPOSE_IMAGE = "image"
#: A student's lab container (lives between commands).
PURPOSE_LAB = "lab"
#: A student's OverlayFS playground (lives between commands, its files in memory).
PURPOSE_PLAYGROUND = "playground"
#: A warm container: started and idle, no student's yet (warm.py); used once, then removed.
PURPOSE_WARM = "warm"


def labels(owner: Owner, purpose: str, **extra: str) -> dict[str, str]:
    return {
        OWNER: str(owner.user_id),
        GUILD: str(owner.guild_id),
        PURPOSE: purpose,
        CREATED: utcnow().isoformat(timespec="seconds"),
        **extra,
    }


def helper_labels(purpose: str = PURPOSE_ONESHOT) -> dict[str, str]:
    """A container of the bot's own, no student's: a helper (removed like a one-shot if
    left behind), or with ``PURPOSE_WARM`` a warm container, which has no owner until
    it is used and is removed then."""
    return {PURPOSE: purpose, CREATED: utcnow().isoformat(timespec="seconds")}


def owner_filter(owner: Owner, purpose: str | None = None) -> dict[str, list[str]]:
    wanted = [f"{OWNER}={owner.user_id}", f"{GUILD}={owner.guild_id}"]
    if purpose:
        wanted.append(f"{PURPOSE}={purpose}")
    return {"label": wanted}


def purpose_filter(purpose: str, guild_id: int | None = None) -> dict[str, list[str]]:
    wanted = [f"{PURPOSE}={purpose}"]
    if guild_id is not None:
        wanted.append(f"{GUILD}={guild_id}")
    return {"label": wanted}


def owner_of(container_labels: dict[str, str]) -> Owner | None:
    """Whose container this is, from its labels (None for a label set that is not ours)."""
    try:
        return Owner(guild_id=int(container_labels[GUILD]), user_id=int(container_labels[OWNER]))
    except (KeyError, ValueError):
        return None
