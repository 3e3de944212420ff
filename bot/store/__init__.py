"""The only package that writes SQL: a SQLite database through aiosqlite."""

from bot.store.database import Lab, Run, Store

__all__ = ["Lab", "Run", "Store"]
