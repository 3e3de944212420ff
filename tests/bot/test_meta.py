"""Every command, option and text: names, lengths, both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import discord
from discord import app_commands

from bot.i18n import LANGUAGES, _load_files
from tests.conftest import Harness

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"^[-_\w]{1,32}$")
DESCRIPTION_LIMIT = 100


def _walk(commands: list) -> list:
    found = []
    for command in commands:
        found.append(command)
        if isinstance(command, app_commands.Group):
            found += _walk(command.commands)
    return found


async def test_command_tree(harness: Harness) -> None:
    texts = _load_files()
    top = harness.bot.tree.get_commands(type=discord.AppCommandType.chat_input)
    names = [c.name for c in top]
    assert len(names) == len(set(names))
    assert {"diff", "history", "commit", "images", "rmi", "info"} <= set(names)
    for command in _walk(top):
        assert NAME.match(command.name) and command.name == command.name.lower()
        key = command._locale_description.extras["key"]  # every description comes from the catalog
        for lang in LANGUAGES:
            assert 1 <= len(texts[lang][key]) <= DESCRIPTION_LIMIT, (lang, key)
        for parameter in getattr(command, "parameters", []):
            assert NAME.match(parameter.name) and parameter.name == parameter.name.lower()
            description = parameter.locale_description
            assert description is not None, (command.name, parameter.name)
            key = description.extras["key"]
            for lang in LANGUAGES:
                assert 1 <= len(texts[lang][key]) <= DESCRIPTION_LIMIT, (lang, key)
    # Message menus: a name of up to 32 characters, spaces allowed, in both languages.
    menus = harness.bot.tree.get_commands(type=discord.AppCommandType.message)
    assert [m.name for m in menus] == ["Use as answer"]
    for menu in menus:
        key = menu._locale_name.extras["key"]
        assert all(1 <= len(texts[lang][key]) <= 32 for lang in LANGUAGES)


def test_catalog_has_the_same_keys_and_fields_in_both_languages() -> None:
    texts = _load_files()
    assert set(texts["nl"]) == set(texts["en"])
    field = re.compile(r"\{(\w+)\}")
    for key in texts["en"]:
        assert set(field.findall(texts["nl"][key])) == set(field.findall(texts["en"][key])), key


def test_every_key_the_code_names_exists() -> None:
    texts = _load_files()["en"]
    key = re.compile(r"^[a-z_]+\.(?!txt$|png$)[a-z_]+$")  # not the attachment names (diff.txt)
    sections = {k.split(".")[0] for k in texts}
    used: set[str] = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "cogs").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and key.match(node.value)
                and node.value.split(".")[0] in sections
            ):
                used.add(node.value)
    missing = sorted(k for k in used if k not in texts)
    assert not missing
    assert len(used) > 40  # the scan really found the keys


async def test_every_topic_has_one_cog_and_every_named_command_exists(harness: Harness) -> None:
    from bot import lessons

    owners = [getattr(cog, "topic", None) for cog in harness.bot.cogs.values()]
    for topic in lessons.COURSE:
        assert owners.count(topic) == 1, topic
    names = set()
    for command in _walk(harness.bot.tree.get_commands()):
        names.add("/" + command.qualified_name)
    for topic in lessons.COURSE:
        for lang in lessons.LANGUAGES:
            for page in lessons.load()[topic][lang].pages:
                missing = [c for c in page.commands if c not in names]
                assert not missing, (topic, lang, missing)
