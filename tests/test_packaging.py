"""`pip install .` must carry everything the bot reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_every_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("layerlab-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    data = [p for pattern in ("*.toml", "*.sql", "*.ttf", "LICENSE") for p in (ROOT / "bot").rglob(pattern)]
    assert len(data) > 20
    missing = [str(p.relative_to(ROOT)) for p in data if str(p.relative_to(ROOT)) not in inside]
    assert not missing
    assert "cogs/exercises.py" in inside and "bot/py.typed" in inside
