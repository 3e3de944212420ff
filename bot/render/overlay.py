"""An overlay mount as a table: one row per path, one column per folder (the lower
folders top first, the upper folder, the merged view), each cell what that folder
holds at that path. Pure functions; the words are English, like the CLI's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.render.table import table
from bot.render.units import human_size
from bot.sandbox.models import FolderEntry, FolderListing, OverlayMountView

ABSENT = "-"


def _cell(entry: FolderEntry | None, *, in_upper: bool = False, in_lower: bool = False) -> str:
    if entry is None:
        return ABSENT
    if entry.kind == "whiteout":
        return "whiteout (c 0,0)"
    word = {"file": "file", "dir": "dir", "symlink": "symlink", "device": "device"}.get(entry.kind, "other")
    if entry.kind == "file":
        word += f" {entry.size}B"
    if entry.opaque:
        word += ", opaque"
    elif in_upper and in_lower and entry.kind == "file":
        word += ", copied up"
    elif in_upper and not in_lower and entry.kind != "dir":
        word += ", new"
    return word


def _by_path(listing: FolderListing | None) -> dict[str, FolderEntry]:
    return {e.path: e for e in listing.entries} if listing else {}


def mount_table(view: OverlayMountView, *, under: str = "") -> str:
    """The table of one mount; ``under`` keeps the paths below one folder only."""
    lowers = [_by_path(listing) for listing in view.lowers]
    upper = _by_path(view.upper)
    merged = _by_path(view.merged)
    paths = sorted(set().union(*lowers, upper, merged))
    if under:
        prefix = under.strip("/")
        paths = [p for p in paths if p == prefix or p.startswith(prefix + "/")]
    headers = ["PATH", *(_name(listing) for listing in view.lowers)]
    if view.upper is not None:
        headers.append(_role(view.upper, "upper"))
    headers.append(_role(view.merged, "merged"))
    rows = [headers]
    for path in paths:
        in_lower = any(path in lower for lower in lowers)
        is_dir = any(path in d and d[path].kind == "dir" for d in (*lowers, upper, merged))
        row = [path + ("/" if is_dir else ""), *(_cell(lower.get(path)) for lower in lowers)]
        if view.upper is not None:
            row.append(_cell(upper.get(path), in_upper=True, in_lower=in_lower))
        row.append(_cell(merged.get(path)))
        rows.append(row)
    return table(rows)


def _name(listing: FolderListing) -> str:
    return listing.path.rstrip("/").rsplit("/", 1)[-1] or listing.path


def _role(listing: FolderListing, role: str) -> str:
    """A folder's column heading: its name, and its role when the name does not say it."""
    name = _name(listing)
    return name if name == role else f"{name} ({role})"


def mount_heading(view: OverlayMountView) -> str:
    """``overlay on MERGED (lowerdir=…,upperdir=…,workdir=…)`` as ``mount`` prints it."""
    options = [f"lowerdir={':'.join(listing.path for listing in view.lowers)}"]
    if view.upper is not None:
        options.append(f"upperdir={view.upper.path}")
    if view.workdir:
        options.append(f"workdir={view.workdir}")
    options += list(view.options)
    return f"overlay on {view.merged.path} type overlay ({','.join(options)})"


def notes(views: Sequence[OverlayMountView]) -> list[str]:
    """Folders that could not be listed, or were listed in part."""
    found = []
    for view in views:
        for listing in (*view.lowers, *([view.upper] if view.upper else []), view.merged):
            if not listing.readable:
                found.append(f"{listing.path}: not listed")
            elif listing.truncated:
                found.append(f"{listing.path}: first {len(listing.entries)} entries only")
    return found


#: Paths drawn side by side in the picture of a mount (the table has them all).
PICTURE_PATHS = 6


@dataclass(frozen=True, slots=True)
class GridCell:
    """What one folder holds at one path, for the picture."""

    text: str  # short: "4B", "dir", "whiteout", "opaque dir", "symlink"
    kind: str  # FolderEntry.kind, or "opaque" for an opaque directory
    source: int  # the grid row whose folder provides it (in merged: the topmost that holds it)


@dataclass(frozen=True, slots=True)
class Grid:
    """A mount as rows of folders (merged on top, then upper, then the lowers top
    first) and columns of paths; ``left_out`` paths did not fit."""

    paths: tuple[str, ...]
    rows: tuple[tuple[str, tuple[GridCell | None, ...]], ...]  # (folder heading, cell per path)
    left_out: int


def _short(entry: FolderEntry, source: int) -> GridCell:
    if entry.kind == "file":
        return GridCell(human_size(entry.size), "file", source)
    if entry.kind == "dir":
        return GridCell("opaque dir" if entry.opaque else "dir", "opaque" if entry.opaque else "dir", source)
    return GridCell(entry.kind, entry.kind, source)


def grid(view: OverlayMountView, *, under: str = "", limit: int = PICTURE_PATHS) -> Grid:
    """The mount for a picture: at most ``limit`` paths, those the upper folder
    changed first, then the shallowest."""
    folders = [*([view.upper] if view.upper is not None else []), *view.lowers]  # top first
    by_folder = [_by_path(listing) for listing in folders]
    merged = _by_path(view.merged)
    every = sorted(set().union(*by_folder, merged))
    if under:
        prefix = under.strip("/")
        every = [p for p in every if p == prefix or p.startswith(prefix + "/")]
    upper = by_folder[0] if view.upper is not None else {}
    chosen = sorted(sorted(every, key=lambda p: (p not in upper, p.count("/"), p))[:limit])
    rows: list[tuple[str, tuple[GridCell | None, ...]]] = []
    merged_cells = []
    for path in chosen:
        source = next((i for i, d in enumerate(by_folder) if path in d and d[path].kind != "whiteout"), 0)
        merged_cells.append(_short(merged[path], source + 1) if path in merged else None)
    rows.append((_role(view.merged, "merged"), tuple(merged_cells)))
    for index, (listing, found) in enumerate(zip(folders, by_folder, strict=True)):
        heading = _role(listing, "upper") if listing is view.upper else _name(listing)
        rows.append((heading, tuple(_short(found[p], index + 1) if p in found else None for p in chosen)))
    return Grid(tuple(chosen), tuple(rows), len(every) - len(chosen))
