"""What a terminal would show of a container's raw tty output."""

from __future__ import annotations

import re

# CSI sequences (colours, cursor moves), OSC sequences (window titles) and the
# few two-byte escapes programs print. A terminal interprets them; text keeps none.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def terminal_text(raw: bytes) -> str:
    """Decode tty output and fold it the way a terminal screen does.

    ``\\r\\n`` becomes a newline; a bare ``\\r`` (progress bars) returns to the
    start of the line, so only what was written last on it remains; escape
    sequences and other control characters are dropped.
    """
    text = raw.decode("utf-8", errors="replace")
    text = _ESCAPES.sub("", text).replace("\r\n", "\n")
    lines = []
    for line in text.split("\n"):
        if "\r" in line:
            line = _overwrite(line.split("\r"))
        lines.append(_CONTROL.sub("", line))
    return "\n".join(lines)


def _overwrite(segments: list[str]) -> str:
    screen = ""
    for segment in segments:
        screen = segment + screen[len(segment) :]
    return screen
