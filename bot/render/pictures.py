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

import functools
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.render.overlay import Grid, GridCell
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
#: (colour, meaning) pairs drawn below a picture.
Legend = Sequence[tuple[tuple[int, int, int], str]]


#: DejaVu Sans, shipped with the package: Pillow's built-in font has no accented
#: letters, and Dutch needs them (kopieën, geïnstalleerd).
FONT_FILE = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"


@functools.lru_cache(maxsize=16)
def _font(size: int) -> Font:
    return ImageFont.truetype(str(FONT_FILE), size=size)


def _fit(pen: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """``text`` cut with "..." to ``width`` pixels (the default font has no "…")."""
    text = "".join(c if c.isprintable() else " " for c in text).replace("…", "...")
    if pen.textlength(text, font=font) <= width:
        return text
    while text and pen.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def draw_stack(title: str, bars: Sequence[Bar], legend: Legend = ()) -> bytes:
    """The bars bottom up (``bars[0]`` at the bottom), as PNG bytes, with a legend
    of (colour, meaning) below."""
    shown = list(bars)
    if len(shown) > MAX_BARS:
        rest = shown[MAX_BARS - 1 :]
        summed = sum(b.size or 0 for b in rest)
        shown = [*shown[: MAX_BARS - 1], Bar(f"... {len(rest)} more", summed, rest[-1].colour)]
    rows_end = MARGIN + TITLE_SIZE + GAP + len(shown) * (BAR_HEIGHT + GAP)
    height = rows_end + _legend_height(legend) + MARGIN
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
    _draw_legend(pen, legend, rows_end + 8)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _wrap(text: str, font: Font, width: int, most: int = 3) -> list[str]:
    """``text`` in lines of at most ``width`` pixels (``most`` lines, the last one cut)."""
    pen = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    lines: list[str] = []
    for word in text.split():
        if lines and pen.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    return [_fit(pen, line, font, width) for line in lines]


def _fit_middle(pen: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """``text`` cut in the middle with "..." to ``width`` pixels: a folder keeps its
    start (which store) and its end (``diff``, ``fs``)."""
    if pen.textlength(text, font=font) <= width:
        return text
    head, tail = text[: len(text) // 2], text[len(text) // 2 :]
    while head and tail and pen.textlength(f"{head}...{tail}", font=font) > width:
        head, tail = head[:-1], tail[1:]
    return f"{head}...{tail}"


@dataclass(frozen=True, slots=True)
class Folder:
    """One layer of a container's stack: what it is, and its folder on the host."""

    role: str
    path: str
    colour: tuple[int, int, int]


#: Rows of a container's stack drawn at most; the middle image layers are summed up.
MAX_FOLDERS = 16
ROW_HEIGHT = 62
PATH_SIZE = 17


def _tint(colour: tuple[int, int, int], share: float = 0.22) -> tuple[int, int, int]:
    """``colour`` mixed with white: a light fill that dark text stays readable on."""
    r, g, b = colour
    return (
        int(255 - (255 - r) * share),
        int(255 - (255 - g) * share),
        int(255 - (255 - b) * share),
    )


def draw_folders(title: str, folders: Sequence[Folder], legend: Legend = ()) -> bytes:
    """A container's stack top first (``folders[0]`` on top): one full-width row per
    layer, its role and its real folder on the lab host, as PNG bytes."""
    shown = list(folders)
    if len(shown) > MAX_FOLDERS:
        top, bottom = (MAX_FOLDERS - 1) // 2, MAX_FOLDERS - 1 - (MAX_FOLDERS - 1) // 2
        hidden = shown[top : len(shown) - bottom]
        summary = Folder(f"... {len(hidden)} more", "", hidden[0].colour)
        shown = [*shown[:top], summary, *shown[len(shown) - bottom :]]
    rows_end = MARGIN + TITLE_SIZE + GAP + len(shown) * (ROW_HEIGHT + GAP)
    height = rows_end + _legend_height(legend) + MARGIN
    picture = Image.new("RGB", (WIDTH, height), BACKGROUND)
    pen = ImageDraw.Draw(picture)
    title_font, font, path_font = _font(TITLE_SIZE), _font(FONT_SIZE - 2), _font(PATH_SIZE)
    pen.text((MARGIN, MARGIN), _fit(pen, title, title_font, WIDTH - 2 * MARGIN), fill=TEXT, font=title_font)
    inner = WIDTH - 2 * MARGIN - 32
    for row, folder in enumerate(shown):
        top = MARGIN + TITLE_SIZE + GAP + row * (ROW_HEIGHT + GAP)
        box = (MARGIN, top, WIDTH - MARGIN, top + ROW_HEIGHT)
        pen.rounded_rectangle(box, radius=6, fill=_tint(folder.colour), outline=folder.colour, width=2)
        pen.rectangle((MARGIN, top, MARGIN + 12, top + ROW_HEIGHT), fill=folder.colour)
        pen.text((MARGIN + 24, top + 6), _fit(pen, folder.role, font, inner), fill=TEXT, font=font)
        path = _fit_middle(pen, _printable(folder.path), path_font, inner)
        pen.text((MARGIN + 24, top + 36), path, fill=TEXT, font=path_font)
    _draw_legend(pen, legend, rows_end + 8)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _legend_layout(legend: Legend, font: Font) -> list[tuple[int, int, tuple[int, int, int], str]]:
    """Where each (colour, meaning) of a legend goes: (x, line), a new line when one is full."""
    pen = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    placed, x, line = [], MARGIN, 0
    for colour, meaning in legend:
        width = 28 + int(pen.textlength(meaning, font=font)) + 32
        if x > MARGIN and x + width > WIDTH:
            x, line = MARGIN, line + 1
        placed.append((x, line, colour, meaning))
        x += width
    return placed


def _legend_height(legend: Legend) -> int:
    placed = _legend_layout(legend, _font(FONT_SIZE))
    return (placed[-1][1] + 1) * (BAR_HEIGHT + GAP) if placed else 0


def _draw_legend(pen: ImageDraw.ImageDraw, legend: Legend, top: int) -> None:
    font = _font(FONT_SIZE)
    for x, line, colour, meaning in _legend_layout(legend, font):
        y = top + line * (BAR_HEIGHT + GAP)
        pen.rectangle((x, y + 6, x + 20, y + 26), fill=colour)
        pen.text((x + 28, y + 2), meaning, fill=TEXT, font=font)


WHITEOUT = (200, 40, 40)
#: The lower folders of an overlay, top first: shades of blue, repeated when there are more.
LOWER_SHADES = ((29, 99, 237), (96, 138, 220), (140, 160, 190), (70, 110, 160))
HEADING_WIDTH = 190
CELL_HEIGHT = 44
CELL_FONT = 18


def overlay_colours(rows: int, has_upper: bool) -> list[tuple[int, int, int]]:
    """The colour of each row of an overlay picture: merged, upper, the lowers."""
    colours = [MERGED] + ([WRITABLE] if has_upper else [])
    lowers = rows - len(colours)
    return colours + [LOWER_SHADES[i % len(LOWER_SHADES)] for i in range(lowers)]


def draw_overlay(title: str, grid: Grid, colours: Sequence[tuple[int, int, int]], note: str = "") -> bytes:
    """An overlay mount as a grid: a row per folder (merged on top), a column per
    path; each cell what that folder holds there, a whiteout drawn in red, and each
    merged cell in the colour of the folder it comes from."""
    columns = max(1, len(grid.paths))
    cell_width = (WIDTH - 2 * MARGIN - HEADING_WIDTH) // columns
    font, cell_font = _font(FONT_SIZE - 2), _font(CELL_FONT)
    grid_top = MARGIN + TITLE_SIZE + GAP + CELL_HEIGHT
    rows_end = grid_top + len(grid.rows) * (CELL_HEIGHT + GAP)
    note_lines = _wrap(_printable(note), font, WIDTH - 2 * MARGIN)
    height = rows_end + len(note_lines) * (FONT_SIZE + 8) + MARGIN
    picture = Image.new("RGB", (WIDTH, height), BACKGROUND)
    pen = ImageDraw.Draw(picture)
    title_font = _font(TITLE_SIZE)
    pen.text((MARGIN, MARGIN), _fit(pen, title, title_font, WIDTH - 2 * MARGIN), fill=TEXT, font=title_font)
    left = MARGIN + HEADING_WIDTH
    for column, path in enumerate(grid.paths):  # the paths as column headings
        x = left + column * cell_width
        shown = _fit(pen, _printable(path), cell_font, cell_width - 8)
        pen.text((x + 4, grid_top - CELL_HEIGHT + 12), shown, fill=TEXT, font=cell_font)
    for row, (heading, cells) in enumerate(grid.rows):
        top = grid_top + row * (CELL_HEIGHT + GAP)
        pen.rectangle((MARGIN, top, MARGIN + 10, top + CELL_HEIGHT), fill=colours[row])
        label = _fit(pen, _printable(heading), font, HEADING_WIDTH - 24)
        pen.text((MARGIN + 18, top + 10), label, fill=TEXT, font=font)
        for column, cell in enumerate(cells):
            if cell is not None:
                x = left + column * cell_width
                _draw_cell(pen, (x + 3, top, x + cell_width - 3, top + CELL_HEIGHT), cell, colours, cell_font)
    for number, line in enumerate(note_lines):
        pen.text((MARGIN, rows_end + 4 + number * (FONT_SIZE + 8)), line, fill=TEXT, font=font)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_cell(
    pen: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    cell: GridCell,
    colours: Sequence[tuple[int, int, int]],
    font: Font,
) -> None:
    """One folder's entry at one path: a whiteout outlined in red and struck through,
    anything else filled in the colour of the folder it comes from."""
    if cell.kind == "whiteout":
        pen.rounded_rectangle(box, radius=6, fill=BACKGROUND, outline=WHITEOUT, width=3)
        pen.line((box[0] + 4, box[3] - 4, box[2] - 4, box[1] + 4), fill=_tint(WHITEOUT, 0.35), width=2)
        ink = WHITEOUT
    else:
        source = colours[min(cell.source, len(colours) - 1)]
        pen.rounded_rectangle(box, radius=6, fill=_tint(source, 0.35), outline=source, width=2)
        ink = TEXT
    pen.text((box[0] + 6, box[1] + 11), _fit(pen, cell.text, font, box[2] - box[0] - 10), fill=ink, font=font)


def overlay_alt(title: str, grid: Grid) -> str:
    """The grid in words: per folder, top first, what it holds at each path shown."""
    lines = [title]
    for heading, cells in grid.rows:
        held = [f"{path} ({cell.text})" for path, cell in zip(grid.paths, cells, strict=True) if cell]
        lines.append(f"{heading}: {', '.join(held) or '-'}")
    if grid.left_out:
        lines.append(f"+{grid.left_out} more paths")
    text = "\n".join(lines)
    return text if len(text) <= 1024 else text[:1021] + "…"


def folders_alt(title: str, folders: Sequence[Folder]) -> str:
    """The container's stack in words, top first."""
    text = "\n".join([title, *(f"{f.role}: {f.path}" for f in folders)])
    return text if len(text) <= 1024 else text[:1021] + "…"


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
