"""The services' rules, as plain functions (no engine, no Discord, no SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import EngineUnavailable
from bot.sandbox.models import ContainerRow, Owner
from bot.services.exercises import STUCK_AFTER, class_table, stuck_students
from bot.services.fleet import Candidate, choose_engine
from bot.services.labs import LabPolicy, reap_targets
from bot.store import Attempt

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


# -- placement -----------------------------------------------------------------------


def test_a_new_student_goes_to_the_least_loaded_engine_that_answers() -> None:
    candidates = [
        Candidate("a", up=True, containers_running=5, students=1),
        Candidate("b", up=True, containers_running=2, students=9),
        Candidate("c", up=False, containers_running=0, students=0),  # idle, but down
    ]
    assert choose_engine(candidates) == "b"


def test_ties_go_by_students_then_by_the_list_order() -> None:
    assert choose_engine([Candidate("a", True, 3, 4), Candidate("b", True, 3, 2)]) == "b"
    assert choose_engine([Candidate("a", True, 3, 2), Candidate("b", True, 3, 2)]) == "a"


def test_a_student_with_work_on_an_engine_goes_back_there_whatever_its_load() -> None:
    candidates = [Candidate("a", True, 0, 0), Candidate("b", True, 40, 30, holds_theirs=True)]
    assert choose_engine(candidates) == "b"
    # ... unless it does not answer: then by load, among those that do.
    candidates[1] = Candidate("b", False, 40, 30, holds_theirs=True)
    assert choose_engine(candidates) == "a"


def test_no_engine_answering_places_nobody() -> None:
    with pytest.raises(EngineUnavailable) as refused:
        choose_engine([Candidate("a", False, 0, 0), Candidate("b", False, 0, 0)])
    assert refused.value.key == "error.no_engine"


# -- the idle policy and reaping -------------------------------------------------------------


def _row(state: str = "running") -> ContainerRow:
    return ContainerRow(
        id="c1", image="debian", command="bash", created=T0, status="", state=state, names="lab"
    )


def test_an_idle_lab_container_is_stopped_then_removed() -> None:
    policy = LabPolicy(stop_after=timedelta(minutes=30), remove_after=timedelta(hours=48))
    last_used = T0 + timedelta(hours=1)
    status = policy.status(_row(), last_used)
    assert status.stops_at == last_used + timedelta(minutes=30)
    assert policy.due(status, last_used + timedelta(minutes=29)) is None
    assert policy.due(status, last_used + timedelta(minutes=30)) == "stop"
    assert policy.due(status, last_used + timedelta(hours=48)) == "remove"
    stopped = policy.status(_row("exited"), last_used)
    assert stopped.stops_at is None and policy.due(stopped, last_used + timedelta(hours=1)) is None
    # Without a row in SQLite, the clock starts at the container's creation.
    assert policy.status(_row(), None).removed_at == T0 + timedelta(hours=48)


def test_reap_takes_one_students_containers_or_everyones() -> None:
    a, b = Owner(1, 10), Owner(1, 20)
    found = {a: "container-a", b: "container-b"}
    assert reap_targets(found, (), None, require_all=False) == [(a, "container-a"), (b, "container-b")]
    assert reap_targets(found, (), 20, require_all=False) == [(b, "container-b")]
    # An engine that did not answer is skipped, unless nothing may be left behind.
    assert reap_targets(found, ("lab2",), 20, require_all=False) == [(b, "container-b")]
    with pytest.raises(EngineUnavailable) as refused:
        reap_targets(found, ("lab2", "lab3"), 20, require_all=True)
    assert refused.value.params == {"engine": "lab2, lab3"}


# -- the class view ---------------------------------------------------------------------------


def _attempt(
    user: int, exercise: str, passed: bool, minute: int, failed: tuple[str, ...] = (), name: str = ""
) -> Attempt:
    return Attempt(user, name, exercise, passed, failed, False, T0 + timedelta(minutes=minute))


def test_the_class_table_has_every_student_and_exercise() -> None:
    students = {10: "", 20: "Bea", 30: "Cas"}
    attempts = [
        _attempt(10, "sl", False, 1, name="Ann"),
        _attempt(10, "sl", True, 2, name="Ann"),
        _attempt(10, "sl", False, 3, name="Ann"),  # a later failure does not undo the pass
        _attempt(20, "sl", False, 4),
    ]
    rows = class_table(students, attempts, ["sl", "ubuntu_ping"])
    table = [(r.display_name, r.exercise_id, r.status, r.attempts) for r in rows]
    assert table == [
        ("Ann", "sl", "passed", 3),
        ("Ann", "ubuntu_ping", "not started", 0),
        ("Bea", "sl", "tried", 1),
        ("Bea", "ubuntu_ping", "not started", 0),
        ("Cas", "sl", "not started", 0),
        ("Cas", "ubuntu_ping", "not started", 0),
    ]
    assert rows[0].first_pass == T0 + timedelta(minutes=2)
    assert rows[0].last_attempt == T0 + timedelta(minutes=3)


def test_stuck_means_failing_often_without_a_pass() -> None:
    attempts = [
        _attempt(10, "sl", False, i, ("image myubuntu", "diff A /x"), "Ann") for i in range(STUCK_AFTER)
    ]
    attempts += [_attempt(10, "sl", False, 99, ("diff A /x",), "Ann")]
    attempts += [_attempt(20, "sl", False, i, ("image myubuntu",), "Bea") for i in range(STUCK_AFTER - 1)]
    attempts += [_attempt(30, "sl", False, i, ("x",), "Cas") for i in range(STUCK_AFTER)]
    attempts += [_attempt(30, "sl", True, 50, (), "Cas")]
    stuck = stuck_students(attempts)
    assert [(s.display_name, s.failed_attempts, s.worst_check) for s in stuck] == [
        ("Ann", STUCK_AFTER + 1, "diff A /x")
    ]
