"""The only package that writes SQL: a SQLite database through aiosqlite."""

from bot.store.database import Run, Store

__all__ = ["Run", "Store"]
