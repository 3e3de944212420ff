"""The CLI's table writer: ``tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)``."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.units import display_width

#: tabwriter minwidth: a column is at least this wide, padding included.
MIN_WIDTH = 10
#: tabwriter padding: spaces added to the widest cell of a column.
PADDING = 3


def table(rows: Sequence[Sequence[str]]) -> str:
    """Lay out rows as the docker CLI does.

    Every cell but the last of a row is padded to its column's width
    (``max(MIN_WIDTH, widest + PADDING)``); the last cell is written as is, so a
    row whose last cell is empty ends in the padding of the cell before it.
    """
    if not rows:
        return ""
    columns = max(len(r) for r in rows)
    widths = [0] * columns
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], display_width(cell))
    widths = [max(MIN_WIDTH, w + PADDING) for w in widths]
    lines = []
    for row in rows:
        parts = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row[:-1])]
        parts.append(row[-1] if row else "")
        lines.append("".join(parts))
    return "\n".join(lines) + "\n"
