"""Each student's own choices, read once at start-up and kept in memory."""

from __future__ import annotations

from bot.store import PreferenceStore


class Preferences:
    def __init__(self, store: PreferenceStore) -> None:
        self._store = store
        self._languages: dict[int, str] = {}

    async def load(self) -> None:
        self._languages = await self._store.languages()

    def language(self, user_id: int) -> str | None:
        return self._languages.get(user_id)

    async def set_language(self, user_id: int, language: str | None) -> None:
        await self._store.set_language(user_id, language)
        if language is None:
            self._languages.pop(user_id, None)
        else:
            self._languages[user_id] = language

    def forget(self, user_id: int) -> None:
        self._languages.pop(user_id, None)
