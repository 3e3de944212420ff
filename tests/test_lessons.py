"""The course content: both languages alike, every page and question within Discord's limits."""

from __future__ import annotations

import re

import pytest

from bot import lessons
from bot.i18n import Catalog
from bot.ui.controls import CUSTOM_ID_LIMIT
from bot.ui.learning import QuizButton, page_embed, quiz_embed
from bot.ui.tryit import DEMO_KINDS

EMBED_TOTAL = 6000
DESCRIPTION = 4096
TITLE = 256
BUTTON_LABEL = 80
COURSE = lessons.load()


def _embed_size(embed: object) -> int:
    data = embed.to_dict()  # type: ignore[attr-defined]
    size = len(data.get("title", "")) + len(data.get("description", ""))
    size += len(data.get("footer", {}).get("text", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))
    return size


@pytest.mark.parametrize("topic", lessons.COURSE)
def test_both_languages_have_the_same_lesson(topic: str) -> None:
    nl, en = COURSE[topic]["nl"], COURSE[topic]["en"]
    assert len(nl.pages) == len(en.pages) >= 3
    assert len(nl.questions) == len(en.questions) >= 5
    for a, b in zip(nl.pages, en.pages, strict=True):
        assert a.demo == b.demo and a.commands == b.commands
        assert a.title and a.text and b.title and b.text
    for a, b in zip(nl.questions, en.questions, strict=True):
        assert a.key == b.key and a.concept == b.concept, (a.key, b.key)
        assert a.answer == b.answer and a.demo == b.demo
        assert len(a.choices) == len(b.choices) and 2 <= len(a.choices) <= 4
        assert 0 <= a.answer < len(a.choices)
    assert nl.title != en.title or topic in ("history", "overlayfs", "inspect", "info")


@pytest.mark.parametrize("topic", lessons.COURSE)
def test_most_questions_are_predictions_with_claims(topic: str) -> None:
    """At least half of a topic's questions are predictions the bot runs live, and
    each says what the engine will show (patterns the engine tests assert)."""
    questions = COURSE[topic]["en"].questions
    assert len(questions) >= 6
    keys = [q.key for q in questions]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"[a-z0-9-]{1,40}", k) for k in keys)
    assert all(re.fullmatch(r"[a-z0-9-]{1,40}", q.concept) for q in questions)
    predictions = [q for q in questions if q.prediction]
    assert 2 * len(predictions) >= len(questions), f"{len(predictions)} of {len(questions)}"
    for q in predictions:
        assert q.demo is not None and q.demo.expect, f"{topic} {q.key} claims nothing"
        for pattern in (*q.demo.expect, *q.demo.absent):
            re.compile(pattern, re.MULTILINE)
    for page in COURSE[topic]["en"].pages:
        for pattern in (*page.demo.expect, *page.demo.absent) if page.demo else ():
            re.compile(pattern, re.MULTILINE)


def test_answers_are_spread_over_the_choices() -> None:
    answers = [q.answer for topic in COURSE.values() for q in topic["en"].questions]
    counts = {i: answers.count(i) for i in range(4)}
    assert min(counts.values()) >= len(answers) // 8, counts  # no "always B"


@pytest.mark.parametrize("lang", lessons.LANGUAGES)
@pytest.mark.parametrize("topic", lessons.COURSE)
def test_every_page_and_question_fits_discord(topic: str, lang: str) -> None:
    catalog = Catalog.load()
    lesson = COURSE[topic][lang]
    for index, page in enumerate(lesson.pages):
        embed = page_embed(catalog, lang, lesson, index)
        assert len(embed.title or "") <= TITLE
        assert len(embed.description or "") <= DESCRIPTION
        assert _embed_size(embed) <= EMBED_TOTAL
        if page.demo is not None:
            assert page.demo.kind in DEMO_KINDS
    for question in lesson.questions:
        assert all(len(c) <= 1000 for c in question.choices)
        if question.demo is not None:
            assert question.demo.kind in DEMO_KINDS


@pytest.mark.parametrize("lang", lessons.LANGUAGES)
async def test_every_quiz_screen_fits_discord(lang: str) -> None:
    """Each question, asked and answered, in the embed the quiz shows."""
    catalog = Catalog.load()

    for topic in lessons.COURSE:
        lesson = COURSE[topic][lang]
        for index, question in enumerate(lesson.questions):
            asked = quiz_embed(catalog, lang, lesson, index)
            answered = quiz_embed(catalog, lang, lesson, index, "x" * 20 + question.explain)
            for embed in (asked, answered):
                assert len(embed.description or "") <= DESCRIPTION
                assert _embed_size(embed) <= EMBED_TOTAL
            buttons = [item.item for item in QuizButton.answers(2**63, lesson, index).children]  # type: ignore[attr-defined]
            assert all(len(item.label or "") <= BUTTON_LABEL for item in buttons)
            assert all(len(item.custom_id or "") <= CUSTOM_ID_LIMIT for item in buttons)
