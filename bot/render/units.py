"""The docker CLI's small formatting rules (docker/cli formatter, go-units, stringid)."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

#: go-units decimal abbreviations, as used by ``HumanSizeWithPrecision``.
_DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
#: The CLI prints three significant digits for sizes.
SIZE_PRECISION = 3
#: ``stringid.TruncateID`` keeps this many hex characters.
SHORT_ID_LENGTH = 12
ELLIPSIS = "…"


def human_size(size: float, precision: int = SIZE_PRECISION) -> str:
    """``units.HumanSizeWithPrecision``: base 1000, ``%.{precision}g``, no space."""
    index = 0
    value = float(size)
    while value >= 1000.0 and index < len(_DECIMAL_UNITS) - 1:
        value /= 1000.0
        index += 1
    return f"{value:.{precision}g}{_DECIMAL_UNITS[index]}"


def human_duration(delta: timedelta) -> str:
    """``units.HumanDuration``: the words in "N minutes ago"."""
    seconds = int(delta.total_seconds())
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = int(delta.total_seconds() / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(delta.total_seconds() / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(delta.total_seconds() / 3600) // 24 // 365} years"


def since(moment: datetime, now: datetime) -> str:
    """ "5 minutes ago", as the CLI's CREATED columns print it."""
    return human_duration(now - moment) + " ago"


def truncate_id(image_id: str) -> str:
    """``stringid.TruncateID``: drop an algorithm prefix, keep 12 characters."""
    if ":" in image_id:
        image_id = image_id.split(":", 1)[1]
    return image_id[:SHORT_ID_LENGTH]


def char_width(char: str) -> int:
    """Columns a character takes: East Asian Wide and Fullwidth count 2."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def ellipsis(text: str, max_width: int) -> str:
    """``formatter.Ellipsis``: cut to ``max_width`` display columns, ending in ``…``."""
    if max_width <= 0:
        return ""
    if max_width == 1:
        return text[:1]
    if text.isascii():
        if len(text) <= max_width:
            return text
        return text[: max_width - 1] + ELLIPSIS
    widths: list[int] = []
    total = 0
    for char in text:
        total += char_width(char)
        widths.append(total)
    if total <= max_width:
        return text
    for i in range(len(widths) - 1):
        if widths[i] <= max_width - 1 < widths[i + 1]:
            return text[: i + 1] + ELLIPSIS
    return text


def human_count(n: int) -> str:
    """16303217 -> "16.3M", as a reader takes in a count at a glance."""
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)
