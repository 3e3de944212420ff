"""The pure parts of several engines: names, percentiles, the status table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.i18n import Catalog
from bot.sandbox.client import engine_name
from bot.sandbox.disk import parse_inodes
from bot.services.fleet import EngineReport, percentile
from bot.ui.status_replies import milliseconds, status_reply, uptime_text


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("unix:///var/run/docker.sock", "/var/run/docker.sock"),
        ("tcp://lab1.example.org:2376", "lab1.example.org:2376"),
        ("ssh://admin@lab2", "lab2"),  # no user name shown to students
        ("https://10.0.0.5:2376/", "10.0.0.5:2376"),
    ],
)
def test_engines_are_named_by_host_or_socket(url: str, name: str) -> None:
    assert engine_name(url) == name


def test_nearest_rank_percentiles() -> None:
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 0.50) == 50 and percentile(values, 0.95) == 95
    assert percentile([7], 0.95) == 7 and percentile([], 0.5) is None
    assert percentile([10, 20, 30], 0.5) == 20 and percentile([10, 20, 30], 0.95) == 30


def test_durations_and_uptime_read_the_same_in_every_language() -> None:
    assert [milliseconds(v) for v in (None, 380, 1000, 12345)] == ["-", "380ms", "1.0s", "12.3s"]
    assert uptime_text(timedelta(days=2, hours=3, minutes=4, seconds=5)) == "2d 03:04:05"
    assert uptime_text(timedelta(seconds=-3)) == "0d 00:00:00"


def test_the_status_table_marks_an_engine_that_is_down() -> None:
    up = EngineReport(
        "lab1:2376",
        True,
        "28.2.2",
        5,
        40,
        2,
        1,
        120,
        420,
        2300,
        51_200_000_000,
        2 * 1024**3,
        16_303_217,
        200_000,
        3,
        4,
    )
    down = EngineReport("lab2:2376", False, "", 0, 38, 0, 0, 0, None, None)
    for lang, word in (("nl", "Antwoorden niet"), ("en", "Not answering")):
        reply = status_reply(Catalog.load(), lang, [up, down], version="0.1.0", uptime=timedelta(hours=5))
        lines = reply.content.splitlines()
        assert lines[1].split()[:3] == ["ENGINE", "STATE", "VERSION"]
        assert lines[2].split() == [
            "lab1:2376",
            "up",
            "28.2.2",
            "5",
            "40",
            "2",
            "1",
            "120",
            "420ms",
            "2.3s",
            "51.2GB",
            "16.3M",
            "3/4",
        ]
        assert lines[3].split() == [
            "lab2:2376",
            "DOWN",
            "-",
            "-",
            "38",
            "0",
            "0",
            "0",
            "-",
            "-",
            "-",
            "-",
            "-",
        ]
        description = reply.embeds[0].description or ""
        assert word in description and "lab2:2376" in description and "0d 05:00:00" in description
        assert "LAYERLAB_MIN_FREE_MB" not in description  # 51.2 GB free: above the floor
    low = EngineReport("lab1:2376", True, "28.2.2", 5, 40, 2, 1, 120, 420, 2300, 1024**3, 2 * 1024**3)
    reply = status_reply(Catalog.load(), "en", [low], version="0.1.0", uptime=timedelta(hours=5))
    assert "Below the floor of free disk space (LAYERLAB_MIN_FREE_MB)" in (reply.embeds[0].description or "")
    # Bytes to spare, but nearly out of inodes (a flood of empty files): below the floor too.
    no_inodes = EngineReport(
        "lab1:2376", True, "28.2.2", 5, 40, 2, 1, 120, 420, 2300, 51_200_000_000, 2 * 1024**3, 1_000, 200_000
    )
    assert no_inodes.below_floor and not up.below_floor
    reply = status_reply(Catalog.load(), "en", [no_inodes], version="0.1.0", uptime=timedelta(hours=5))
    assert "LAYERLAB_MIN_FREE_INODES" in (reply.embeds[0].description or "")


def test_free_inodes_as_df_prints_them() -> None:
    ext4 = "Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/vda 16777216 473999 16303217 3% /data\n"
    assert parse_inodes(ext4) == 16303217
    btrfs = "Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/sdb 0 0 0 - /data\n"
    assert parse_inodes(btrfs) is None  # no fixed number of inodes: no floor to fall below
    assert parse_inodes("df: /data: No such file") is None
