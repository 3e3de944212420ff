"""The one way rows and values cross between Python and SQLite.

Row types are frozen dataclasses whose field names are column names; ``from_row``
builds one from a row by the field's type, and ``sql`` turns a Python value into
what the column stores. Stored forms: times as ISO 8601 text in UTC, booleans
as 0/1, tuples of strings as one line each.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Any, TypeVar

import aiosqlite

R = TypeVar("R")


def sql(value: Any) -> Any:
    """A Python value as its column stores it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, tuple | list):
        return "\n".join(str(v) for v in value)
    return value


def _convert(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is bool:
        return bool(value)
    if typing.get_origin(kind) is tuple:
        return tuple(line for line in str(value).splitlines() if line.strip())
    if kind in (int, float, str):
        return kind(value)
    return value


_COLUMNS: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _columns(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    if cls in _COLUMNS:
        return _COLUMNS[cls]
    hints = typing.get_type_hints(cls)
    found = []
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
        found.append((field.name, kind))
    _COLUMNS[cls] = tuple(found)
    return _COLUMNS[cls]


def from_row(cls: type[R], row: aiosqlite.Row) -> R:
    """A ``cls`` from the columns of ``row`` named like its fields."""
    return cls(**{name: _convert(kind, row[name]) for name, kind in _columns(cls)})
