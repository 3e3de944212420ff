"""Text exactly as the docker CLI (28.x) prints it, from the sandbox's results."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from bot.render.table import table
from bot.render.units import ellipsis, human_size, since, truncate_id
from bot.sandbox.models import (
    Change,
    ContainerRow,
    EngineInfo,
    HistoryEntry,
    ImageDetails,
    ImageSummary,
    RemoveResult,
    StorageView,
)

#: ``docker history`` cuts CREATED BY to this many display columns.
CREATED_BY_WIDTH = 45
#: Dates up to this one print as "N/A" in CREATED (images built "before time").
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MISSING = "<missing>"


def history(entries: Sequence[HistoryEntry], *, now: datetime, trunc: bool = True) -> str:
    rows = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
    for e in entries:
        image_id = e.id if e.id == MISSING or not trunc else truncate_id(e.id)
        created = "N/A" if e.created <= _EPOCH else since(e.created, now)
        created_by = e.created_by.replace("\t", " ")
        if trunc:
            created_by = ellipsis(created_by, CREATED_BY_WIDTH)
        rows.append([image_id, created, created_by, human_size(e.size), e.comment])
    return table(rows)


def diff(changes: Iterable[Change]) -> str:
    """``docker diff``: one ``K PATH`` line per change, in the engine's order."""
    return "".join(f"{c.kind.letter} {c.path}\n" for c in changes)


def images(rows: Sequence[ImageSummary], *, now: datetime) -> str:
    """``docker images`` (CLI 28 table form): newest first, by whole seconds as
    the engine reports them (images made in the same second keep the engine's order)."""
    ordered = sorted(rows, key=lambda r: int(r.created.timestamp()), reverse=True)
    out = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
    out += [
        [r.repository, r.tag, truncate_id(r.id), since(r.created, now), human_size(r.size)] for r in ordered
    ]
    return table(out)


def info(data: EngineInfo) -> str:
    """The ``Server:`` part of ``docker info`` that the course looks at."""
    lines = [
        "Server:",
        f" Containers: {data.containers}",
        f"  Running: {data.running}",
        f"  Paused: {data.paused}",
        f"  Stopped: {data.stopped}",
        f" Images: {data.images}",
        f" Server Version: {data.server_version}",
        f" Storage Driver: {data.storage_driver}",
    ]
    lines += [f"  {key}: {value}" for key, value in data.driver_status]
    return "\n".join(lines) + "\n"


def rmi(result: RemoveResult) -> str:
    return "".join(f"{kind}: {value}\n" for kind, value in result.lines)


#: ``docker ps`` cuts COMMAND to this many display columns before quoting it.
COMMAND_WIDTH = 20
_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``: double quotes, backslash escapes, printable text kept."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif not char.isprintable():
            code = ord(char)
            out.append(
                f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def ps(rows: Sequence[ContainerRow], *, now: datetime) -> str:
    """``docker container ls --all``: newest first."""
    out = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
    for row in sorted(rows, key=lambda r: r.created, reverse=True):
        out.append(
            [
                truncate_id(row.id),
                row.image,
                go_quote(ellipsis(row.command, COMMAND_WIDTH)),
                since(row.created, now),
                row.status,
                row.ports,
                row.names,
            ]
        )
    return table(out)


def graph_driver(data: dict[str, object]) -> str:
    """The ``"GraphDriver"`` lines of ``docker inspect``, indented as in the whole document."""
    body = json.dumps({"GraphDriver": data}, indent=4, sort_keys=True, ensure_ascii=False)
    lines = body.splitlines()[1:-1]  # drop the braces of our wrapper object
    return "\n".join("    " + line for line in lines) + ",\n"


def overlay_dirs(view: StorageView) -> str:
    """The container's overlay mount, one labelled folder a line, as the containerd
    store has it (``docker inspect`` shows none there): its mount table's ``/`` line."""
    assert view.mount is not None
    lower = view.mount.lower_dirs
    # Topmost first: the -init layer, then the image's layers (when the counts agree).
    known = len(lower) == view.image_layers + 1
    marks = ["(-init) ", *("(image) " for _ in lower[1:])] if known else ["" for _ in lower]
    width = max(len(m) for m in marks)
    lines = [f"LowerDir:  {marks[0]:<{width}}{lower[0]}"]
    lines += [f"           {mark:<{width}}{path}" for mark, path in zip(marks[1:], lower[1:], strict=True)]
    lines += [
        f"UpperDir:  {'':<{width}}{view.mount.upper_dir}",
        f"WorkDir:   {'':<{width}}{view.mount.work_dir}",
    ]
    if view.merged_dir:
        lines.append(f"MergedDir: {'':<{width}}{view.merged_dir}")
    return "\n".join(lines) + "\n"


def go_json(data: object) -> str:
    """``{{json .}}`` of a docker CLI format string: compact, keys in the engine's order."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"


def json_block(data: dict[str, object]) -> str:
    """JSON as ``docker inspect`` indents it."""
    return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def image_inspect(details: ImageDetails) -> str:
    """The lines of ``docker image inspect`` from Architecture to RootFS, as the
    slides grep them (fields in the engine's order, indented as in the document)."""
    subset = {
        "Architecture": details.architecture,
        "Os": details.os,
        "Size": details.size,
        "RootFS": {"Type": details.rootfs_type, "Layers": list(details.layers)},
    }
    body = json.dumps(subset, indent=4, ensure_ascii=False).splitlines()[1:-1]
    return "\n".join("    " + line for line in body) + "\n"
