"""The layout is the architecture: who may import what."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
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


#: The longest a module in bot/, cogs/ or fakediscord/ may grow before it is split (each owns one thing).
MAX_MODULE_LINES = 400
#: The sandbox's plain values: importable without the docker SDK.
PLAIN_SANDBOX_MODULES = ("models.py", "limits.py", "refs.py")
#: What fakediscord may import from outside the standard library, and the
#: distribution in pyproject.toml that provides each.
FAKEDISCORD_IMPORTS = {"discord": "discord.py", "aiohttp": "aiohttp", "yarl": "yarl"}


def test_modules_are_small_and_say_what_they_own() -> None:
    for path in [*_sources("bot"), *_sources("cogs"), *_sources("fakediscord")]:
        text = path.read_text()
        if not text.strip():
            continue  # an empty package marker
        assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path} has {len(text.splitlines())} lines"
        assert ast.get_docstring(ast.parse(text)), f"{path} does not open with what it owns"


def test_no_module_uses_another_ones_private_names() -> None:
    """``x._name`` only on ``self``, ``cls`` or ``super()``; no ``from m import _name``."""
    for path in [*_sources("bot"), *_sources("cogs"), *_sources("fakediscord")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                private = [
                    a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
                ]
                assert not private, f"{path}:{node.lineno} imports {private} from {node.module}"
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                owner = node.value
                mine = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
                mine = mine or (
                    isinstance(owner, ast.Call)
                    and isinstance(owner.func, ast.Name)
                    and owner.func.id == "super"
                )
                assert mine, f"{path}:{node.lineno} uses {ast.unparse(node)}"


def test_the_sandbox_values_need_no_docker() -> None:
    for name in PLAIN_SANDBOX_MODULES:
        tops = {_top(m) for m in _imports(ROOT / "bot" / "sandbox" / name)}
        assert "docker" not in tops and "requests" not in tops, name
    # ... nor does importing them load it on the way (bot.sandbox's __init__, say).
    modules = ", ".join(f"bot.sandbox.{name.removesuffix('.py')}" for name in PLAIN_SANDBOX_MODULES)
    probe = f"import sys, {modules}; print('docker' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert loaded.stdout.strip() == "False"


def test_services_get_repositories_not_the_database() -> None:
    for path in _sources("bot/services"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot.store"):
                names = {a.name for a in node.names}
                assert "Database" not in names and node.module != "bot.store.database", path


def test_the_fake_discord_lives_outside_the_bot_and_declares_what_it_imports() -> None:
    for path in _sources("bot"):
        tops = {_top(m) for m in _imports(path)}
        assert not tops & {"aiohttp", "yarl"}, f"{path}: a web server is fakediscord's, not the bot's"
        if path.name != "console.py":
            assert "fakediscord" not in tops, f"{path}: only the offline console uses fakediscord"
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    distributions = {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in declared}
    for path in _sources("fakediscord"):
        for top in {_top(m) for m in _imports(path)} - set(sys.stdlib_module_names) - {"fakediscord"}:
            assert top not in ("bot", "cogs"), f"{path} knows the bot"
            assert top in FAKEDISCORD_IMPORTS, f"{path} imports {top}, not declared for fakediscord"
            assert FAKEDISCORD_IMPORTS[top].lower() in distributions, f"{top} is not in pyproject.toml"
