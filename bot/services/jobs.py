"""One job per student at a time, and a bounded number of jobs on the lab host."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from bot.errors import JobAlreadyRunning, ShuttingDown

log = logging.getLogger(__name__)

OnWait = Callable[[int], Awaitable[None]]


class JobGate:
    """Admits at most ``capacity`` jobs at once, first come first served.

    A student with a job running (or waiting) gets ``JobAlreadyRunning`` for a
    second one; a job that has to wait learns its place in the queue first.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._running = 0
        self._queue: list[asyncio.Future[None]] = []
        self._busy: set[str] = set()
        self.closed = False
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def busy(self, key: str) -> bool:
        """Whether this student has a job running or waiting."""
        return key in self._busy

    def close(self) -> int:
        """Admit nothing more: every job waiting now, and every later one, gets
        ``ShuttingDown`` (it never started, so nothing of it is lost). Jobs running
        keep their slots. Returns how many were waiting."""
        self.closed = True
        waiting, self._queue = self._queue, []
        for ticket in waiting:
            if not ticket.done():
                ticket.set_exception(ShuttingDown())
        return len(waiting)

    async def idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for no job to be running; whether none is."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self._running == 0

    @asynccontextmanager
    async def slot(self, key: str, on_wait: OnWait | None = None) -> AsyncIterator[None]:
        if self.closed:
            raise ShuttingDown()
        if key in self._busy:
            raise JobAlreadyRunning()
        self._busy.add(key)
        try:
            await self._acquire(on_wait)
            try:
                yield
            finally:
                self._release()
        finally:
            self._busy.discard(key)

    async def _acquire(self, on_wait: OnWait | None) -> None:
        if self._running < self.capacity and not self._queue:
            self._running += 1
            self._idle.clear()
            return
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(ticket)
        try:
            if on_wait is not None:
                try:
                    await on_wait(len(self._queue))
                except Exception:  # telling the user must not lose their place
                    log.exception("Could not tell a queued user their place")
            await ticket  # _release hands the slot over directly
        except BaseException:
            if ticket in self._queue:
                self._queue.remove(ticket)
            elif ticket.done() and not ticket.cancelled() and ticket.exception() is None:
                self._release()  # handed over, but we are leaving: pass it on
            raise

    def _release(self) -> None:
        while self._queue and not self.closed:
            ticket = self._queue.pop(0)
            if not ticket.done():
                ticket.set_result(None)
                return  # the slot passes to the next in line; _running unchanged
        self._running -= 1
        if self._running == 0:
            self._idle.set()
