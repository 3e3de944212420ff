"""The text of /layers: a table of an image's layers, each layer's changes written
as ``docker diff`` writes them, and the space wasted as dive counts it.

Paths come from image layers, which students make: a control character in a
name (a newline, an escape) is written as Go's ``strconv.Quote`` would write it,
so that one line is one change and nothing reaches the reader's terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.cli import go_quote
from bot.render.table import table
from bot.render.units import ellipsis, human_size
from bot.sandbox.layer_diff import Efficiency, ImageLayers, LayerView
from bot.sandbox.models import ChangeKind

CREATED_BY_WIDTH = 45
#: Wasted files listed under the table (dive lists them all; the file has them all).
WASTED_SHOWN = 10


def shown_path(path: str) -> str:
    return go_quote(path) if any(not c.isprintable() for c in path) else path


def counts(layer: LayerView) -> tuple[int, int, int]:
    kinds = [c.kind for c in layer.changes]
    return kinds.count(ChangeKind.ADDED), kinds.count(ChangeKind.CHANGED), kinds.count(ChangeKind.DELETED)


def layer_table(found: ImageLayers) -> str:
    """One row per layer, the bottom one first (as RootFS.Layers and dive list them)."""
    rows = [["LAYER", "SIZE", "A", "C", "D", "CREATED BY"]]
    for layer in found.layers:
        added, changed, deleted = counts(layer)
        base = "*" if layer.index < found.base_layers else ""
        created_by = ellipsis(layer.created_by.replace("\t", " ").replace("\n", " "), CREATED_BY_WIDTH)
        rows.append(
            [
                f"{layer.index + 1}{base}",
                human_size(layer.size),
                str(added),
                str(changed),
                str(deleted),
                created_by,
            ]
        )
    return table(rows)


def changes(layer: LayerView, limit: int | None = None) -> str:
    """``K PATH`` lines, as ``docker diff`` writes them (deletions marked by how the
    layer recorded them)."""
    lines = []
    for change in layer.changes[:limit]:
        mark = f"   ({change.marker})" if change.marker else ""
        lines.append(f"{change.kind.letter} {shown_path(change.path)}{mark}\n")
    return "".join(lines)


def wasted(efficiency: Efficiency, limit: int | None = WASTED_SHOWN) -> str:
    """dive's "Image Details": the score, the potential wasted space, the files."""
    head = (
        f"Image efficiency score: {int(100 * efficiency.score)} %\n"
        f"Potential wasted space: {human_size(efficiency.wasted_bytes)}\n"
    )
    if not efficiency.wasted:
        return head
    rows = [["Count", "Total Space", "Path"]]
    rows += [[str(w.copies), human_size(w.size), shown_path(w.path)] for w in efficiency.wasted[:limit]]
    return head + table(rows)


def whole(image: str, found: ImageLayers) -> str:
    """Everything, for the attached file: every layer's every change, every wasted file."""
    parts = [f"$ layers {image}\n", layer_table(found)]
    for layer in found.layers:
        parts.append(f"\n# layer {layer.index + 1}: {layer.created_by}\n{changes(layer)}")
    parts.append("\n" + wasted(found.efficiency, None))
    return "".join(parts)


def one_layer(image: str, found: ImageLayers, index: int) -> str:
    layer = found.layers[index]
    return f"$ layers {image} {index + 1}\n# {layer.created_by}\n{changes(layer)}"


def compare_rows(a: ImageLayers, b: ImageLayers) -> tuple[int, str]:
    """How many bottom layers two images share (by diff ID), and a table side by side."""
    shared = 0
    for x, y in zip(a.layers, b.layers, strict=False):
        if x.diff_id != y.diff_id:
            break
        shared += 1
    rows = [["LAYER", "A", "B", "CREATED BY (A)", "CREATED BY (B)"]]
    for i in range(max(len(a.layers), len(b.layers))):
        left = a.layers[i] if i < len(a.layers) else None
        right = b.layers[i] if i < len(b.layers) else None
        rows.append(
            [
                str(i + 1),
                left.diff_id[7:19] if left else "",
                ("=" if i < shared else right.diff_id[7:19]) if right else "",
                ellipsis(left.created_by, 30) if left else "",
                ellipsis(right.created_by, 30) if right and i >= shared else ("" if right is None else "="),
            ]
        )
    return shared, table(rows)


__all__: Sequence[str] = ["changes", "compare_rows", "layer_table", "one_layer", "wasted", "whole"]
