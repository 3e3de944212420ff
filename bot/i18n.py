"""One catalog for every text a user reads, in Dutch and English.

The same keys serve command descriptions (through ``CatalogTranslator``) and
replies. Texts live in ``bot/locales/<lang>.toml``; a reply picks its language
from the interaction's locale (``nl`` gives Dutch, ``en-*`` English), falling
back to the configured default.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

LANGUAGES = ("nl", "en")
#: The language of command names and default descriptions sent to Discord.
SOURCE_LANGUAGE = "en"
_LOCALES = {
    discord.Locale.dutch: "nl",
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


class Catalog:
    def __init__(self, texts: Mapping[str, Mapping[str, str]], default: str = "nl") -> None:
        self.texts = texts
        self.default = default

    @classmethod
    def load(cls, default: str = "nl") -> Catalog:
        return cls(_load_files(), default)

    def language(self, locale: discord.Locale | str | None) -> str:
        if isinstance(locale, str):
            try:
                locale = discord.Locale(locale)
            except ValueError:
                return self.default
        return _LOCALES.get(locale, self.default) if locale is not None else self.default

    def __call__(self, lang: str, key: str, /, **params: Any) -> str:
        table = self.texts.get(lang) or self.texts[self.default]
        text = table.get(key)
        if text is None:
            text = self.texts[SOURCE_LANGUAGE].get(key)
        if text is None:
            log.error("Missing catalog key %s", key)
            return key
        try:
            return text.format(**params) if params else text
        except (KeyError, IndexError, ValueError):
            log.exception("Catalog text %s does not take %s", key, sorted(params))
            return text


@functools.cache
def _load_files() -> dict[str, dict[str, str]]:
    folder = resources.files("bot").joinpath("locales")
    return {
        lang: _flatten(tomllib.loads(folder.joinpath(f"{lang}.toml").read_text(encoding="utf-8")))
        for lang in LANGUAGES
    }


def describe(key: str) -> app_commands.locale_str:
    """A command or option description: English text for Discord, keyed for translation."""
    return app_commands.locale_str(_load_files()[SOURCE_LANGUAGE][key], key=key)


class CatalogTranslator(app_commands.Translator):
    """Gives Discord the Dutch and English descriptions of every command."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        lang = _LOCALES.get(locale)
        if key is None or lang is None:
            return None
        return self.catalog.texts[lang].get(key)
