"""The bot's wheels, for the tests' build of its image without PyPI.

    .venv/bin/python scripts/wheelhouse.py [FOLDER]   (default /var/cache/layerlab/wheels)

Set-up, not a test: pip (of the running Python, 3.11 like the test image's
python3) fetches or builds a wheel of every dependency in pyproject.toml and of
its build backend, and an index.html links them, as pip's --find-links reads a
page. tests/test_deployment.py serves the folder from a container on an internal
network and builds the Dockerfile there with PIP_NO_INDEX and PIP_FIND_LINKS, so
the build reaches no index. Idempotent: done again only when the requirements change.
"""

from __future__ import annotations

import hashlib
import html
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/var/cache/layerlab/wheels")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [*project["build-system"]["requires"], *project["project"]["dependencies"]]
    stamp = hashlib.sha256("\n".join(wanted).encode()).hexdigest()
    ready = folder / "ready"
    if ready.is_file() and ready.read_text().strip() == stamp:
        print(f"[wheelhouse] ready at {folder}", file=sys.stderr)
        return
    folder.mkdir(parents=True, exist_ok=True)
    pip = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--disable-pip-version-check",
        "--wheel-dir",
        str(folder),
    ]
    subprocess.run([*pip, *wanted], check=True)
    links = "".join(
        f'<a href="{html.escape(w.name)}">{html.escape(w.name)}</a>\n' for w in sorted(folder.glob("*.whl"))
    )
    (folder / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n")
    ready.write_text(stamp + "\n")
    print(f"[wheelhouse] ready at {folder}: {len(list(folder.glob('*.whl')))} wheels", file=sys.stderr)


if __name__ == "__main__":
    main()
