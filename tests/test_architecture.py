"""The layout is the architecture: who may import what."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: A cog callback longer than this is doing a service's or bot.ui's work.
MAX_COG_FUNCTION_LINES = 20


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _sources(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files
    return files


def _top(module: str) -> str:
    return module.split(".")[0]


def test_bot_never_imports_cogs() -> None:
    for path in _sources("bot"):
        assert "cogs" not in {_top(m) for m in _imports(path)}, path


def test_only_the_sandbox_talks_to_docker() -> None:
    for path in [*_sources("bot"), *_sources("cogs")]:
        if "sandbox" in path.relative_to(ROOT).parts:
            continue
        assert "docker" not in {_top(m) for m in _imports(path)}, path


def test_only_the_store_touches_sql() -> None:
    for path in [*_sources("bot"), *_sources("cogs")]:
        if "store" in path.relative_to(ROOT).parts:
            continue
        tops = {_top(m) for m in _imports(path)}
        assert not tops & {"sqlite3", "aiosqlite"}, path


def test_services_and_sandbox_know_nothing_of_discord() -> None:
    for folder in ("bot/services", "bot/sandbox", "bot/store", "bot/render"):
        for path in _sources(folder):
            assert "discord" not in {_top(m) for m in _imports(path)}, path


def test_cogs_are_thin() -> None:
    """A cog reads options, calls services and hands results to bot.ui: no function
    in a cog is long (logic belongs in bot/services, presentation in bot/ui)."""
    for path in _sources("cogs"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (
                    (node.end_lineno or node.lineno) - node.body[0].lineno + 1
                )  # the body, not the signature
                assert length <= MAX_COG_FUNCTION_LINES, f"{path}:{node.name} has {length} lines"
