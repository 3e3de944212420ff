"""``layerlab run`` in a process of its own, talking to a fake Discord at argv[1]:
the real entry point (its signal handling included), settings from the
environment, so a test can kill it (-9 or SIGTERM) and start it again."""

from __future__ import annotations

import sys

from bot.__main__ import main
from fakediscord import point_discord_py_at

if __name__ == "__main__":
    point_discord_py_at(sys.argv[1])
    sys.exit(main(["run"]))
