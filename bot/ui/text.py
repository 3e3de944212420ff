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


def fit_code_block(text: str, budget: int, more: str) -> tuple[str, bool]:
    """A code block of at most ``budget`` characters: whole lines from the top,
    then ``more`` (a note that the rest is attached) under the block."""
    block = code_block(text)
    if len(block) <= budget:
        return block, False
    room = budget - len(more) - len(FENCE) * 2 - 4
    kept: list[str] = []
    used = 0
    for line in defuse_backticks(text).splitlines():
        if len(line) > room:  # one very long line: cut it
            line = line[: max(0, room - used - 1)] + "…"
        if used + len(line) + 1 > room:
            break
        kept.append(line)
        used += len(line) + 1
    body = "\n".join(kept) + "\n"
    return f"{FENCE}\n{body}{FENCE}\n{more}", True


def inline(value: object) -> str:
    """A user-supplied value inside `inline code`: one line, no backticks, short."""
    text = str(value).replace("`", "'").replace("\n", " ").replace("\r", " ")
    if len(text) > INLINE_LIMIT:
        text = text[: INLINE_LIMIT - 1] + "…"
    return text or " "
