"""Reading what each layer of an image holds from ``docker save`` (GET
/images/{name}/get), as a stream: plain functions over the bytes, no Docker.

The save archive is read once, front to back (``tarfile`` stream mode), and a
layer's own tar is listed while it passes: names, types and sizes are kept, the
contents never, so memory grows with the number of files, not with the bytes of
the image. The layouts differ per engine and store, and the order of members is
not fixed, so everything is keyed by member name and put together at the end:

- the classic store before Docker 25: ``<id>/layer.tar``, ``<id>.json`` (the
  config) and ``manifest.json``;
- Docker 25 and later, and the containerd image store: an OCI layout,
  ``blobs/sha256/<digest>`` (config, manifests and layers alike, a layer perhaps
  gzip-compressed on the containerd store), ``index.json`` and ``manifest.json``;
  a layer shared twice may be a symbolic link to another member.

``manifest.json`` names the config and the layers in order, bottom first; the
config's ``rootfs.diff_ids`` are their diff IDs and its ``history`` says which
step made which layer (steps with ``empty_layer`` made none).
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol, cast

#: A JSON member larger than this is not a config or manifest (and is not read whole).
MAX_JSON = 4 * 1024 * 1024
#: Files listed per layer; a layer with more is marked cut (its sizes still count).
MAX_FILES = 200_000
#: How much tarfile reads at a time (its default, 10 KiB, costs a call per block).
READ_SIZE = 1024 * 1024
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class SaveFormatError(ValueError):
    """The archive is not a ``docker save`` this reader understands."""


@dataclass(frozen=True, slots=True)
class TarEntry:
    """One entry of a layer tar, as the layer holds it."""

    path: str  # absolute, normalised: "/etc/motd"
    kind: str  # file | dir | symlink | hardlink | other
    size: int  # bytes of a regular file, 0 otherwise


@dataclass(slots=True)
class LayerListing:
    entries: list[TarEntry] = field(default_factory=list)
    size: int = 0  # the bytes of the regular files in it
    cut: bool = False  # more than MAX_FILES entries: the rest were counted, not kept


@dataclass(frozen=True, slots=True)
class HistoryStep:
    created_by: str
    empty_layer: bool
    comment: str = ""


@dataclass(frozen=True, slots=True)
class SavedImage:
    """The layers of one image, bottom first, with the steps that made them."""

    diff_ids: tuple[str, ...]
    layers: tuple[LayerListing, ...]
    history: tuple[HistoryStep, ...]

    def steps_of_layers(self) -> list[str]:
        """CREATED BY of the step that made each layer (``""`` when unknown)."""
        steps = [h.created_by for h in self.history if not h.empty_layer]
        steps = steps[-len(self.layers) :] if len(steps) > len(self.layers) else steps
        return steps + [""] * (len(self.layers) - len(steps))


class ChunkReader:
    """A file-like view of an iterator of byte chunks (docker-py's stream); a read
    copies only what it returns (no re-slicing of a large buffer per read)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._chunk = b""
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            rest = [self._chunk[self._at :], *self._chunks]
            self._chunk, self._at = b"", 0
            return b"".join(rest)
        parts: list[bytes] = []
        while size > 0:
            if self._at >= len(self._chunk):
                try:
                    self._chunk, self._at = next(self._chunks), 0
                except StopIteration:
                    break
                continue
            piece = self._chunk[self._at : self._at + size]
            self._at += len(piece)
            size -= len(piece)
            parts.append(piece)
        return b"".join(parts)


def _kind(member: tarfile.TarInfo) -> str:
    if member.isdir():
        return "dir"
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    if member.isreg():
        return "file"
    return "other"


def entry_path(name: str) -> str:
    """A layer tar's member name as the absolute path it stands for (``./etc/`` is ``/etc``)."""
    name = name.removeprefix("./")
    return posixpath.normpath("/" + name) if name not in ("", ".") else "/"


def list_layer(stream: Readable) -> LayerListing:
    """The entries of one layer tar (plain or compressed), read as it streams by."""
    listing = LayerListing()
    with tarfile.open(fileobj=cast(IO[bytes], stream), mode="r|*", bufsize=READ_SIZE) as tar:
        for member in tar:
            path = entry_path(member.name)
            size = member.size if member.isreg() else 0
            listing.size += size
            if len(listing.entries) >= MAX_FILES:
                listing.cut = True
                continue
            listing.entries.append(TarEntry(path=path, kind=_kind(member), size=size))
    return listing


def _looks_like_tar(head: bytes) -> bool:
    return head[:2] == b"\x1f\x8b" or head[257:262] == b"ustar" or head[:4] == b"\x28\xb5\x2f\xfd"


def read_save(chunks: Iterable[bytes]) -> SavedImage:
    """Read a ``docker save`` stream of one image into its layer listings."""
    jsons: dict[str, Any] = {}
    listings: dict[str, LayerListing] = {}
    links: dict[str, str] = {}
    reader = ChunkReader(chunks)
    with tarfile.open(fileobj=reader, mode="r|", bufsize=READ_SIZE) as outer:  # type: ignore[call-overload]
        for member in outer:
            name = posixpath.normpath(member.name)
            if member.issym():  # relative to its own folder
                links[name] = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
                continue
            if member.islnk():  # relative to the archive's root
                links[name] = posixpath.normpath(member.linkname)
                continue
            if not member.isreg():
                continue
            handle = outer.extractfile(member)
            if handle is None:
                continue
            if name.endswith("/layer.tar"):
                listings[name] = list_layer(handle)
                continue
            if member.size <= MAX_JSON and (name.endswith(".json") or name.startswith("blobs/")):
                head = handle.read(member.size)
                if not _looks_like_tar(head):
                    with contextlib.suppress(ValueError, UnicodeDecodeError):
                        jsons[name] = json.loads(head)
                    continue
                listings[name] = list_layer(_Prefixed(head, handle))
                continue
            if name.startswith("blobs/"):  # a layer larger than any config
                listings[name] = list_layer(handle)
    return _assemble(jsons, listings, links)


class _Prefixed:
    """Bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            if len(data) < size:
                data += self._rest.read(size - len(data))
            return data
        return self._rest.read(size)


def _resolve(name: str, links: dict[str, str]) -> str:
    seen = set()
    while name in links and name not in seen:
        seen.add(name)
        name = links[name]
    return name


def _assemble(jsons: dict[str, Any], listings: dict[str, LayerListing], links: dict[str, str]) -> SavedImage:
    manifest = jsons.get("manifest.json")
    if not isinstance(manifest, list) or not manifest or not isinstance(manifest[0], dict):
        raise SaveFormatError("no manifest.json")
    entry = manifest[0]
    config = jsons.get(_resolve(posixpath.normpath(str(entry.get("Config", ""))), links))
    if not isinstance(config, dict):
        raise SaveFormatError("no image config")
    layers = []
    for layer_name in entry.get("Layers") or []:
        found = listings.get(_resolve(posixpath.normpath(str(layer_name)), links))
        if found is None:
            raise SaveFormatError(f"layer {layer_name} is not in the archive")
        layers.append(found)
    diff_ids = tuple(str(d) for d in (config.get("rootfs") or {}).get("diff_ids") or ())
    if len(diff_ids) != len(layers):
        raise SaveFormatError("the config's diff IDs do not match the layers")
    history = tuple(
        HistoryStep(
            created_by=str(h.get("created_by") or ""),
            empty_layer=bool(h.get("empty_layer")),
            comment=str(h.get("comment") or ""),
        )
        for h in config.get("history") or ()
        if isinstance(h, dict)
    )
    return SavedImage(diff_ids=diff_ids, layers=tuple(layers), history=history)
