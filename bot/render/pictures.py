"""Pictures of layer stacks, drawn with Pillow as PNG.

A stack is drawn bottom up, as every Docker course draws it: one bar per layer,
its width by its bytes on a logarithmic scale (a 4-byte layer and a 100 MB one
both stay visible), labelled with its number, its size and its step; layers
shared with the base image are drawn in a colour of their own. The text beside
each bar is the picture's text alternative too (``alt_text``), for a screen
reader and for the console.

The picture is 960 pixels wide with 22-pixel type, which a phone shows readably
when Discord scales it to the screen, and a stack of 40 layers stays well under a
megabyte (Discord allows 10 MB per attachment).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.render.units import ellipsis, human_size

WIDTH = 960
MARGIN = 24
BAR_HEIGHT = 40
GAP = 10
FONT_SIZE = 22
TITLE_SIZE = 26
#: Layers drawn at most; more are summed up in one bar ("… 12 more layers").
MAX_BARS = 40
LABEL_WIDTH = 58  # characters of a step shown beside its bar

BACKGROUND = (255, 255, 255)
TEXT = (30, 30, 30)
OWN = (29, 99, 237)  # Docker blue: the image's own layers
BASE = (140, 160, 190)  # shared with the base image
WRITABLE = (232, 163, 61)  # a container's writable layer
INIT = (170, 170, 170)
MERGED = (46, 160, 67)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    size: int | None  # bytes, None for a bar without a size (the merged view)
    colour: tuple[int, int, int]


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def _fit(pen: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """``text`` cut with "..." to ``width`` pixels (the default font has no "…")."""
    text = "".join(c if c.isprintable() else " " for c in text).replace("…", "...")
    if pen.textlength(text, font=font) <= width:
        return text
    while text and pen.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def draw_stack(
    title: str, bars: Sequence[Bar], legend: Sequence[tuple[tuple[int, int, int], str]] = ()
) -> bytes:
    """The bars bottom up (``bars[0]`` at the bottom), as PNG bytes, with a legend
    of (colour, meaning) below."""
    shown = list(bars)
    if len(shown) > MAX_BARS:
        rest = shown[MAX_BARS - 1 :]
        summed = sum(b.size or 0 for b in rest)
        shown = [*shown[: MAX_BARS - 1], Bar(f"... {len(rest)} more", summed, rest[-1].colour)]
    rows = len(shown) + (1 if legend else 0)
    height = MARGIN * 2 + TITLE_SIZE + GAP + rows * (BAR_HEIGHT + GAP)
    picture = Image.new("RGB", (WIDTH, height), BACKGROUND)
    pen = ImageDraw.Draw(picture)
    title_font, font = _font(TITLE_SIZE), _font(FONT_SIZE)
    pen.text((MARGIN, MARGIN), _fit(pen, title, title_font, WIDTH - 2 * MARGIN), fill=TEXT, font=title_font)
    largest = max((b.size or 0 for b in shown), default=0)
    scale = math.log10(largest + 1) or 1.0
    bar_space = WIDTH // 3
    label_x = MARGIN + bar_space + 16
    for row, bar in enumerate(reversed(shown)):  # the top of the stack is drawn first
        top = MARGIN + TITLE_SIZE + GAP + row * (BAR_HEIGHT + GAP)
        width = bar_space if bar.size is None else max(8, int(bar_space * math.log10(bar.size + 1) / scale))
        pen.rounded_rectangle((MARGIN, top, MARGIN + width, top + BAR_HEIGHT), radius=6, fill=bar.colour)
        label = _fit(pen, bar.label, font, WIDTH - label_x - MARGIN)
        pen.text((label_x, top + 8), label, fill=TEXT, font=font)
    if legend:
        top = MARGIN + TITLE_SIZE + GAP + len(shown) * (BAR_HEIGHT + GAP) + 8
        x = MARGIN
        for colour, meaning in legend:
            pen.rectangle((x, top + 6, x + 20, top + 26), fill=colour)
            pen.text((x + 28, top + 2), meaning, fill=TEXT, font=font)
            x += 28 + int(pen.textlength(meaning, font=font)) + 32
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _printable(text: str) -> str:
    """One line of printable text: a student's step may hold escapes and newlines."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def layer_bars(layers: Sequence[tuple[str, int]], base_layers: int, *, numbered: bool = True) -> list[Bar]:
    """Bars for (step, bytes) per layer, bottom first; the first ``base_layers`` are the base's."""
    return [
        Bar(
            label=(f"{i + 1}. " if numbered else "")
            + f"{human_size(size)}  {ellipsis(_printable(step), LABEL_WIDTH) or '-'}",
            size=size,
            colour=BASE if i < base_layers else OWN,
        )
        for i, (step, size) in enumerate(layers)
    ]


def alt_text(title: str, bars: Sequence[Bar]) -> str:
    """What the picture shows, in words, top of the stack first (Discord's limit is 1024)."""
    lines = [title] + [f"{'▪' if b.colour == BASE else '■'} {b.label}" for b in reversed(bars)]
    text = "\n".join(lines)
    return text if len(text) <= 1024 else text[:1021] + "…"
