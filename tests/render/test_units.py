from datetime import timedelta

import pytest

from bot.render.table import table
from bot.render.units import display_width, ellipsis, human_duration, human_size, truncate_id


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0B"),
        (67, "67B"),
        (999, "999B"),
        (1000, "1kB"),
        (1982489, "1.98MB"),
        (77837008, "77.8MB"),
        (116666717, "117MB"),
        (999_950, "1e+03kB"),  # %.3g rounds up without changing unit, as Go does
        (915_000_000, "915MB"),
        (2_500_000_000_000, "2.5TB"),
    ],
)
def test_human_size_matches_go_units(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(milliseconds=300), "Less than a second"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(seconds=31), "31 seconds"),
        (timedelta(seconds=90), "About a minute"),
        (timedelta(minutes=19), "19 minutes"),
        (timedelta(minutes=70), "About an hour"),
        (timedelta(hours=4), "4 hours"),
        (timedelta(hours=47), "47 hours"),
        (timedelta(days=11), "11 days"),
        (timedelta(days=20), "2 weeks"),
        (timedelta(days=61), "2 months"),
        (timedelta(days=400), "13 months"),
        (timedelta(days=800), "2 years"),
    ],
)
def test_human_duration_matches_go_units(delta: timedelta, text: str) -> None:
    assert human_duration(delta) == text


def test_truncate_id() -> None:
    assert (
        truncate_id("sha256:216c552ea5ba7b6a4a5b5d1ac1f7ad7a1a1b8f2dd1e1e2fe3b0bd6e5f7a8b9c0")
        == "216c552ea5ba"
    )
    assert truncate_id("0188ab5866af1234") == "0188ab5866af"


def test_ellipsis_ascii_and_wide() -> None:
    assert ellipsis("a" * 45, 45) == "a" * 45
    assert ellipsis("a" * 46, 45) == "a" * 44 + "…"
    assert display_width("日本") == 4
    # 30 wide characters are 60 columns: cut to 44 columns (22 characters) plus the ellipsis.
    assert ellipsis("日" * 30, 45) == "日" * 22 + "…"
    assert ellipsis("x", 1) == "x"
    assert ellipsis("xyz", 0) == ""


def test_table_pads_like_tabwriter() -> None:
    text = table([["IMAGE", "SIZE", "COMMENT"], ["abc", "117MB", ""], ["<missing>", "0B", "Imported from -"]])
    lines = text.splitlines()
    # Each column is max(10, widest + 3); the last is not padded.
    assert lines[0] == "IMAGE       SIZE      COMMENT"
    assert lines[1] == "abc         117MB     "
    assert lines[2] == "<missing>   0B        Imported from -"
