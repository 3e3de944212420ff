"""What each layer of an image changes, written as ``docker diff`` writes it
(plain functions over ``saved_image`` listings, no Docker).

The layers are stacked bottom first, as overlayfs stacks them, keeping the union
seen so far (path -> entry). For each layer:

- a whiteout ``.wh.<name>`` deletes ``<name>`` and everything below it in the
  union: one **D** line for ``<name>`` (its size is what it hid);
- an opaque marker ``.wh..wh..opq`` in a folder hides everything the lower layers
  had in it: a **D** line for each of the folder's former children (the folder
  itself stays, and shows as **C**, as ``docker diff`` shows it);
- any other entry is **C** when the union had that path already, else **A**.

The markers themselves are not files a container ever sees, so they are not
listed. Lines are sorted by path, as ``docker diff`` lists a folder before what
is in it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from bot.sandbox.models import ChangeKind
from bot.sandbox.saved_image import OPAQUE, WHITEOUT, LayerListing, SavedImage, TarEntry


@dataclass(frozen=True, slots=True)
class LayerChange:
    kind: ChangeKind
    path: str
    size: int  # bytes the layer holds for it; for a deletion, the bytes it hides
    marker: str = ""  # "whiteout" | "opaque": how the layer recorded a deletion


def _under(path: str, folder: str) -> bool:
    return folder == "/" or path.startswith(folder.rstrip("/") + "/")


def _remove(union: dict[str, TarEntry], target: str) -> int:
    """Drop ``target`` and what is below it from the union; the bytes they held."""
    gone = [p for p in union if p == target or _under(p, target)]
    size = sum(union[p].size for p in gone)
    for p in gone:
        del union[p]
    return size


def changes_per_layer(layers: tuple[LayerListing, ...]) -> list[list[LayerChange]]:
    union: dict[str, TarEntry] = {}
    found: list[list[LayerChange]] = []
    for listing in layers:
        changes: list[LayerChange] = []
        markers = [e for e in listing.entries if posixpath.basename(e.path).startswith(WHITEOUT)]
        for marker in markers:
            folder, name = posixpath.split(marker.path)
            if name == OPAQUE:
                children = sorted({p for p in union if posixpath.dirname(p) == folder and p != folder})
                for child in children:
                    changes.append(LayerChange(ChangeKind.DELETED, child, _remove(union, child), "opaque"))
            else:
                target = posixpath.join(folder, name[len(WHITEOUT) :])
                if target in union or any(_under(p, target) for p in union):
                    changes.append(
                        LayerChange(ChangeKind.DELETED, target, _remove(union, target), "whiteout")
                    )
        for entry in listing.entries:
            if entry.path == "/" or posixpath.basename(entry.path).startswith(WHITEOUT):
                continue
            kind = ChangeKind.CHANGED if entry.path in union else ChangeKind.ADDED
            union[entry.path] = entry
            changes.append(LayerChange(kind, entry.path, entry.size))
        found.append(sorted(changes, key=lambda c: c.path))
    return found


@dataclass(frozen=True, slots=True)
class WastedFile:
    path: str
    copies: int  # in how many layers the path has an entry (a whiteout counts)
    size: int  # the bytes of all its copies together, as dive counts them


@dataclass(frozen=True, slots=True)
class Efficiency:
    """dive's figures for an image (``filetree.Efficiency``, ``image.Analyze``)."""

    score: float  # Σ smallest copy / Σ all copies, over every leaf path of every layer
    wasted_bytes: int  # Σ all copies of every path with two or more copies
    wasted: tuple[WastedFile, ...]  # those paths, largest first


def _leaves(listing: LayerListing) -> list[TarEntry]:
    """The entries of one layer that have nothing below them in that layer (dive's
    leaves); the opaque marker is not an entry for dive."""
    entries = [e for e in listing.entries if e.path != "/" and posixpath.basename(e.path) != OPAQUE]
    parents = {posixpath.dirname(e.path) for e in entries}
    parents |= {p for e in entries for p in _ancestors(e.path)}
    return [e for e in entries if e.path not in parents]


def _ancestors(path: str) -> list[str]:
    found = []
    while path not in ("/", ""):
        path = posixpath.dirname(path)
        found.append(path)
    return found


def efficiency(layers: tuple[LayerListing, ...]) -> Efficiency:
    """The efficiency score and wasted space exactly as dive 0.13 computes them:
    each layer's leaves count with their tar size; a whiteout of a file counts 0,
    a whiteout of a folder the bytes of that folder as the layers below had it;
    per path the smallest copy is what is needed, all copies are what is stored.
    Opaque markers are not counted (dive drops them). One difference: a whiteout of
    a path no layer below has counts 0 here, where dive stops reading that layer."""
    stacked: dict[str, TarEntry] = {}  # the layers below, whiteouts applied (as dive stacks)
    copies: dict[str, list[int]] = {}
    for listing in layers:
        for leaf in _leaves(listing):
            folder, name = posixpath.split(leaf.path)
            if name.startswith(WHITEOUT):
                target = posixpath.join(folder, name[len(WHITEOUT) :])
                below = [p for p in stacked if _under(p, target)]
                is_folder = bool(below) or (target in stacked and stacked[target].kind == "dir")
                size = sum(stacked[p].size for p in below) if is_folder else 0
                copies.setdefault(target, []).append(size)
            else:
                copies.setdefault(leaf.path, []).append(leaf.size)
        for entry in listing.entries:  # then stack this layer
            folder, name = posixpath.split(entry.path)
            if name == OPAQUE or entry.path == "/":
                continue
            if name.startswith(WHITEOUT):
                _remove(stacked, posixpath.join(folder, name[len(WHITEOUT) :]))
            else:
                stacked[entry.path] = entry
    needed = sum(min(sizes) for sizes in copies.values())
    stored = sum(sum(sizes) for sizes in copies.values())
    wasted = sorted(
        (WastedFile(path, len(sizes), sum(sizes)) for path, sizes in copies.items() if len(sizes) >= 2),
        key=lambda w: (-w.size, w.path),
    )
    return Efficiency(
        score=needed / stored if stored else 1.0,
        wasted_bytes=sum(w.size for w in wasted),
        wasted=tuple(wasted),
    )


@dataclass(frozen=True, slots=True)
class LayerView:
    """One layer of an image as /layers shows it."""

    index: int  # 0 is the bottom layer
    diff_id: str
    size: int  # the bytes of its regular files, as its tar holds them
    created_by: str  # the step that made it (from the image's history)
    changes: tuple[LayerChange, ...]
    cut: bool = False  # a layer with more files than were listed


@dataclass(frozen=True, slots=True)
class ImageLayers:
    image_id: str
    layers: tuple[LayerView, ...]
    efficiency: Efficiency
    base_layers: int = 0  # the bottom layers it shares with a base image of the course


def image_layers(image_id: str, saved: SavedImage, base_layers: int = 0) -> ImageLayers:
    steps = saved.steps_of_layers()
    per_layer = changes_per_layer(saved.layers)
    return ImageLayers(
        image_id=image_id,
        layers=tuple(
            LayerView(
                index=i,
                diff_id=saved.diff_ids[i],
                size=listing.size,
                created_by=steps[i],
                changes=tuple(per_layer[i]),
                cut=listing.cut,
            )
            for i, listing in enumerate(saved.layers)
        ),
        efficiency=efficiency(saved.layers),
        base_layers=base_layers,
    )


@dataclass(frozen=True, slots=True)
class PathEvent:
    """What one layer does to a path (or to a folder above it)."""

    layer: int  # index, 0 the bottom; -1 the container's writable layer
    kind: ChangeKind
    path: str  # the path the layer names: the path itself, or a folder above it
    size: int
    marker: str = ""


def whence(found: ImageLayers, path: str) -> list[PathEvent]:
    """Every layer that adds, changes or deletes ``path``, bottom first. A deletion of
    a folder above it deletes it too; what a layer adds inside a folder does not
    count for the folder."""
    events = []
    present = False
    for layer in found.layers:
        for change in layer.changes:
            own = change.path == path
            above = change.kind is ChangeKind.DELETED and _under(path, change.path) and present
            if own or above:
                events.append(PathEvent(layer.index, change.kind, change.path, change.size, change.marker))
                present = change.kind is not ChangeKind.DELETED
    return events
