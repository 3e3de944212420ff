"""The only package that writes SQL: a SQLite database through aiosqlite."""

from bot.store.database import Lab, Run, Store, StoredAbout, TopicActivity

__all__ = ["Lab", "Run", "Store", "StoredAbout", "TopicActivity"]
