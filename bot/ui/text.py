"""Safe text for Discord: code blocks that cannot be broken, values that cannot ping."""

from __future__ import annotations

import re

#: Discord's limit for a message's content.
CONTENT_LIMIT = 2000
#: Discord's limit for an embed description.
EMBED_DESCRIPTION_LIMIT = 4096
#: User-supplied values shown inline are cut to this many characters.
INLINE_LIMIT = 100
ZERO_WIDTH_SPACE = "\u200b"
#: When a text is cut to keep its tail, at least this much of its head stays.
MIN_HEAD_ROOM = 300
FENCE = "```"

_BACKTICK_RUN = re.compile(r"`(?=`)")


def defuse_backticks(text: str) -> str:
    """No two backticks stay adjacent, so text cannot close a code block."""
    return _BACKTICK_RUN.sub("`" + ZERO_WIDTH_SPACE, text)


def code_block(text: str) -> str:
    body = defuse_backticks(text)
    if not body.endswith("\n"):
        body += "\n"
    return f"{FENCE}\n{body}{FENCE}"


def _head_lines(text: str, room: int) -> list[str]:
    kept: list[str] = []
    used = 0
    for line in text.splitlines():
        if len(line) > room - used:  # a line longer than what is left: cut it
            line = line[: max(0, room - used - 1)] + "…"
        if used + len(line) + 1 > room:
            break
        kept.append(line)
        used += len(line) + 1
    return kept


def fit_code_block(text: str, budget: int, more: str, *, tail: str = "") -> tuple[str, bool]:
    """A code block of at most ``budget`` characters, and whether it was cut.

    ``text`` is cut at a line (``more``, a note that the rest is attached, goes
    under the block); ``tail`` is kept whole under the cut text when it fits,
    so that, say, a ``docker diff`` stays visible below a long output.
    """
    block = code_block(text + tail)
    if len(block) <= budget:
        return block, False
    safe_tail = defuse_backticks(tail)
    overhead = len(more) + len(FENCE) * 2 + 8
    if safe_tail and budget - overhead - len(safe_tail) >= MIN_HEAD_ROOM:
        kept = _head_lines(defuse_backticks(text), budget - overhead - len(safe_tail) - 2)
        body = "\n".join([*kept, "…"]) + "\n" + safe_tail
    else:
        body = "\n".join(_head_lines(defuse_backticks(text + tail), budget - overhead)) + "\n"
    if not body.endswith("\n"):
        body += "\n"
    return f"{FENCE}\n{body}{FENCE}\n{more}", True


def inline(value: object) -> str:
    """A user-supplied value inside `inline code`: one line, no backticks, short."""
    text = str(value).replace("`", "'").replace("\n", " ").replace("\r", " ")
    if len(text) > INLINE_LIMIT:
        text = text[: INLINE_LIMIT - 1] + "…"
    return text or " "
