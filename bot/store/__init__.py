"""The only package that writes SQL: one SQLite database through aiosqlite, and
one repository per feature over it, each with its own row types.

``Database`` (database.py) opens, migrates and backs up the file and is the one
path to SQLite; ``rows.py`` is the one mapping between rows and Python values.
Services receive the repositories they use, never the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Database
from bot.store.exercises import Attempt, ExerciseState, ExerciseStore, StoredExercise
from bot.store.labs import Lab, LabStore
from bot.store.learning import LearningStore, QuizSession, TopicActivity
from bot.store.placements import PlacementStore
from bot.store.predictions import AnswerCount, Prediction, PredictionStore
from bot.store.preferences import PreferenceStore
from bot.store.privacy import PrivacyStore, StoredAbout
from bot.store.questions import Passage, Question, QuestionStore
from bot.store.roster import RosterStore
from bot.store.runs import Run, RunStore


@dataclass(frozen=True, slots=True)
class Repositories:
    """Every repository, over one database."""

    runs: RunStore
    placements: PlacementStore
    labs: LabStore
    learning: LearningStore
    preferences: PreferenceStore
    exercises: ExerciseStore
    questions: QuestionStore
    privacy: PrivacyStore
    roster: RosterStore
    predictions: PredictionStore

    @classmethod
    def over(cls, db: Database) -> Repositories:
        return cls(
            runs=RunStore(db),
            placements=PlacementStore(db),
            labs=LabStore(db),
            learning=LearningStore(db),
            preferences=PreferenceStore(db),
            exercises=ExerciseStore(db),
            questions=QuestionStore(db),
            privacy=PrivacyStore(db),
            roster=RosterStore(db),
            predictions=PredictionStore(db),
        )


__all__ = [
    "AnswerCount",
    "Attempt",
    "Database",
    "ExerciseState",
    "ExerciseStore",
    "Lab",
    "LabStore",
    "LearningStore",
    "Passage",
    "PlacementStore",
    "Prediction",
    "PredictionStore",
    "PreferenceStore",
    "PrivacyStore",
    "Question",
    "QuestionStore",
    "QuizSession",
    "Repositories",
    "RosterStore",
    "Run",
    "RunStore",
    "StoredAbout",
    "StoredExercise",
    "TopicActivity",
]
