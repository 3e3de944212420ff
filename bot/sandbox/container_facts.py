"""What the engine says of one container after a run: its ``docker diff``, the
bytes in its writable layer, and whether the kernel's OOM killer struck in it.
Plain functions of the Engine API client, for the worker threads."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from bot.sandbox.models import Change, ChangeKind


def changes(api: Any, container_id: str) -> tuple[Change, ...]:
    """``docker diff`` of a container (worker thread)."""
    return tuple(Change(kind=ChangeKind(c["Kind"]), path=c["Path"]) for c in (api.diff(container_id) or ()))


def oom_event(api: Any, container_id: str, since: int) -> bool:
    """Whether the engine reported an ``oom`` event of this container since ``since``
    (epoch seconds) until now (worker thread)."""
    events = api.events(
        since=since,
        until=int(time.time()) + 1,
        filters={"container": container_id, "event": "oom"},
        decode=True,
    )
    try:
        return any(True for _ in events)
    finally:
        with contextlib.suppress(Exception):
            events.close()


def layer_row(api: Any, container_id: str) -> dict[str, Any] | None:
    """The engine's list row of a container, with the bytes in its writable layer
    (``SizeRw``) and its names; None when it is gone (worker thread)."""
    rows = api.containers(all=True, size=True, filters={"id": container_id})
    return dict(rows[0]) if rows else None


def layer_size(api: Any, container_id: str) -> int | None:
    """Bytes in a container's writable layer (``SizeRw``), None when it is gone (worker thread)."""
    row = layer_row(api, container_id)
    return int(row.get("SizeRw") or 0) if row is not None else None


#: The first Engine API version whose one-shot stats answer at once (20.10's, 1.41,
#: waits a second for a second sample after the first call).
ONE_SHOT_STATS = (1, 42)


def runs_more_than_its_first(api: Any, container_id: str) -> bool:
    """Whether a running container has a process besides its first (worker thread).

    The number of processes in its cgroup (one-shot stats, 2-5 ms) where the engine
    answers those at once, else ``docker top`` (which runs ``runc ps``: 15-20 ms). The
    cgroup counts threads: a first process with threads of its own would read as
    "more" and cost a needless reap; the bot's first processes are plain shells."""
    version = tuple(int(part) for part in str(api.api_version).split(".")[:2])
    if version >= ONE_SHOT_STATS:
        pids = (api.stats(container_id, stream=False, one_shot=True).get("pids_stats") or {}).get("current")
        if isinstance(pids, int):
            return pids > 1
    return len(api.top(container_id).get("Processes") or ()) > 1
