"""The only package that writes SQL: a SQLite database through aiosqlite."""

from bot.store.database import (
    Attempt,
    ExerciseState,
    Lab,
    Passage,
    Question,
    Run,
    Store,
    StoredAbout,
    StoredExercise,
    TopicActivity,
)

__all__ = [
    "Attempt",
    "ExerciseState",
    "Lab",
    "Passage",
    "Question",
    "Run",
    "Store",
    "StoredAbout",
    "StoredExercise",
    "TopicActivity",
]
