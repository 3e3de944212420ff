"""One job per student, and a bounded, fair queue on the host."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import JobAlreadyRunning, ShuttingDown
from bot.services.jobs import JobGate


async def test_second_job_of_the_same_student_is_refused() -> None:
    gate = JobGate(2)
    async with gate.slot("a"):
        with pytest.raises(JobAlreadyRunning):
            async with gate.slot("a"):
                pass
    async with gate.slot("a"):  # free again afterwards
        pass


async def test_queue_positions_and_order() -> None:
    gate = JobGate(1)
    release = asyncio.Event()
    order: list[str] = []
    positions: dict[str, int] = {}

    async def job(key: str) -> None:
        async def told(position: int) -> None:
            positions[key] = position

        async with gate.slot(key, told):
            order.append(key)
            if key == "first":
                await release.wait()

    first = asyncio.create_task(job("first"))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(job(k)) for k in ("second", "third")]
    await asyncio.sleep(0.05)
    assert positions == {"second": 1, "third": 2}
    assert gate.running == 1 and gate.waiting == 2
    release.set()
    await asyncio.gather(first, *waiting)
    assert order == ["first", "second", "third"]
    assert gate.running == 0 and gate.waiting == 0


async def test_a_cancelled_waiter_gives_up_its_place() -> None:
    gate = JobGate(1)
    release = asyncio.Event()

    async def hold() -> None:
        async with gate.slot("holder"):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)

    async def wait_forever() -> None:
        async with gate.slot("quitter"):
            pass

    quitter = asyncio.create_task(wait_forever())
    await asyncio.sleep(0.01)
    quitter.cancel()
    await asyncio.gather(quitter, return_exceptions=True)
    release.set()
    await holder
    assert gate.running == 0 and gate.waiting == 0
    async with gate.slot("quitter"):  # the student may try again
        pass


async def test_a_closed_gate_refuses_the_waiting_and_the_new_but_lets_the_running_finish() -> None:
    gate = JobGate(1)
    release = asyncio.Event()
    finished: list[str] = []

    async def job(key: str) -> None:
        async with gate.slot(key):
            if key == "running":
                await release.wait()
            finished.append(key)

    running = asyncio.create_task(job("running"))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(job("waiting"))
    await asyncio.sleep(0.01)
    assert gate.close() == 1  # one was waiting
    with pytest.raises(ShuttingDown):
        await waiting
    with pytest.raises(ShuttingDown):
        async with gate.slot("late"):
            pass
    assert gate.running == 1 and gate.waiting == 0
    assert not await gate.idle(0.05)  # the running job still holds its slot
    release.set()
    assert await gate.idle(1.0)
    await running
    assert finished == ["running"] and gate.running == 0
