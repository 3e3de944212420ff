"""Search quality on the real lessons in real SQLite FTS5: most questions find their page first."""

from __future__ import annotations

from pathlib import Path

from bot.lessons import load
from bot.services.qna import QnA
from bot.store import Database, Repositories
from tests.search_questions import QUESTIONS

#: The share of realistic questions whose expected passage must come first.
REQUIRED = 0.8


async def test_questions_find_their_lesson_page_first(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "search.db")
    repos = Repositories.over(db)
    try:
        qna = QnA(repos.questions, repos.runs, load(), per_hour=5, max_chars=1000)
        assert await qna.index_lessons() > 50
        hits = []
        for question, expected in QUESTIONS:
            found = await qna.search(1, question)
            hits.append(bool(found) and found[0].ref in expected.split("|"))
        assert sum(hits) / len(hits) >= REQUIRED, [
            q for (q, _), hit in zip(QUESTIONS, hits, strict=True) if not hit
        ]
        assert any(q.startswith("Wat") for q, _ in QUESTIONS) and any(
            q.startswith("What") for q, _ in QUESTIONS
        )
    finally:
        await db.close()


async def test_an_answered_question_becomes_searchable_and_forgettable(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "search.db")
    repos = Repositories.over(db)
    try:
        qna = QnA(repos.questions, repos.runs, load(), per_hour=5, max_chars=1000)
        await qna.index_lessons()
        question_id = await repos.questions.add(
            7, 70, "a", "Hoe zet ik de tijdzone van de bot?", anonymous=False, run_id=None
        )
        assert not [p for p in await qna.search(7, "tijdzone") if p.ref.startswith("question:")]
        await qna.answer(7, question_id, "Met LAYERLAB_TIMEZONE, bijvoorbeeld Europe/Brussels.", by=1)
        found = await qna.search(7, "tijdzone van de bot")
        assert found[0].ref == f"question:{question_id}"
        assert not [
            p for p in await qna.search(8, "tijdzone") if p.ref.startswith("question:")
        ]  # other server
        await repos.privacy.delete_user_data(7, 70)
        assert not [p for p in await qna.search(7, "tijdzone") if p.ref.startswith("question:")]
    finally:
        await db.close()
