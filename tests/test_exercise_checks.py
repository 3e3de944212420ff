"""The check language teachers write, and the seed's exercises as shipped."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.exercises import BUILTIN, builtin, parse_checks
from bot.services.exercises import parse_deadline

GOOD = """
# the seed's first exercise
image myubuntu -- make it with /commit
history myubuntu contains iputils-ping
run myubuntu command -v ping -- is ping there?
layers myubuntu more-than-base
diff A /usr/games/sl
diff C /var/lib/apt/lists
file /tmp/testfile contains Hallo
lab myubuntu
overlay mounted merged -- in the playground
whiteout upper/b
opaque /overlay/upper/dir
playground file upper/a contains changed twice
playground file lower1/a lacks changed
"""


def test_a_valid_program() -> None:
    checks = parse_checks(GOOD)
    assert [c.kind for c in checks] == [
        "image", "history", "run", "layers", "diff", "diff", "file", "lab",
        "overlay", "whiteout", "opaque", "playground", "playground",
    ]  # fmt: skip
    assert checks[11].args == ("file", "upper/a", "contains", "changed", "twice")
    assert checks[0].hint == "make it with /commit" and checks[0].line == 3
    assert checks[2].args == ("myubuntu", "command", "-v", "ping")
    assert checks[4].matches_path("/usr/games/sl")


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("", "checks.empty", None),
        ("# only a comment", "checks.empty", None),
        ("ping myubuntu", "checks.unknown", 1),
        ("image myubuntu\ndiff X /tmp", "checks.usage", 2),
        ("diff A tmp/relative", "checks.usage", 1),
        ("file /tmp/x has Hallo", "checks.usage", 1),
        ("history myubuntu iputils", "checks.usage", 1),
        ("layers myubuntu", "checks.usage", 1),
        ("overlay merged", "checks.usage", 1),
        ("overlay mounted", "checks.usage", 1),
        ("whiteout", "checks.usage", 1),
        ("opaque a b", "checks.usage", 1),
        ("playground file upper/a has x", "checks.usage", 1),
        ("playground upper/a contains x", "checks.usage", 1),
        ("image My_Ubuntu", "checks.bad_image", 1),
        ("run ../x true", "checks.bad_image", 1),
        ('file /tmp/x contains "unclosed', "checks.quotes", 1),
        ("image x\n" * 21, "checks.too_many", None),
        ("image " + "x" * 400, "checks.too_long", 1),
    ],
)
def test_a_malformed_program_names_the_problem(text: str, key: str, line: int | None) -> None:
    with pytest.raises(UserError) as caught:
        parse_checks(text)
    assert caught.value.key == key
    if line is not None:
        assert caught.value.params["line"] == line


def test_the_seed_exercises_ship_in_both_languages_with_the_same_checks() -> None:
    for exercise_id in BUILTIN:
        nl, en = builtin("nl")[exercise_id], builtin("en")[exercise_id]
        assert [c.source for c in nl.checks] == [c.source for c in en.checks]
        assert all(c.hint for c in nl.checks) and all(c.hint for c in en.checks)
        assert len(nl.hints) == len(en.hints) and nl.title != en.title


def test_deadlines_in_the_course_time_zone() -> None:
    zone = ZoneInfo("Europe/Brussels")
    day = parse_deadline("2026-12-01", zone)
    assert (day.hour, day.minute, day.utcoffset().total_seconds()) == (23, 59, 3600)  # type: ignore[union-attr]
    assert parse_deadline("2026-07-01 12:00", zone).utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
    with pytest.raises(UserError):
        parse_deadline("next friday", zone)
