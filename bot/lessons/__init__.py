"""The course: lessons and quizzes per topic, in Dutch and English, as data files.

``data/<topic>.<lang>.toml`` holds one topic in one language: a title and pages
(each optionally with a demo students can run from the page);
``quiz/<topic>.<lang>.toml`` holds its quiz questions, each with a stable id and
the concept it tests (what ``/class misconceptions`` groups by), and most of
them predictions: a demo the bot runs live once the student has answered.

A demo may carry ``expect`` (regular expressions that must all match what the
bot shows for it) and ``absent`` (ones that must not): the claims its page or
question makes. The engine tests run every demo on every engine of the matrix
and assert them. Both languages of a topic have the same pages, demos, ids
and answers; a test checks that, and that everything fits in Discord.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

#: The topics in course order, as in the slides.
COURSE = (
    "linux",
    "writable_layer",
    "host_storage",
    "image_layers",
    "history",
    "overlayfs",
    "inspect",
    "info",
    "commit",
)
LANGUAGES = ("nl", "en")


@dataclass(frozen=True, slots=True)
class Demo:
    """A demo a page or a question runs: a kind and its options (``{"command": ...}``)."""

    kind: str  # diff | commit | history | info | inspect_image | lab_host | lab_inspect | overlay
    options: tuple[tuple[str, str], ...] = ()
    #: Claims about what the demo shows (re.MULTILINE), checked by the engine tests.
    expect: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: Any) -> Demo | None:
        if data is None:
            return None
        claims = ("kind", "expect", "absent")
        options = tuple(sorted((str(k), str(v)) for k, v in data.items() if k not in claims))
        return cls(
            kind=str(data["kind"]),
            options=options,
            expect=tuple(str(p) for p in data.get("expect", ())),
            absent=tuple(str(p) for p in data.get("absent", ())),
        )

    def option(self, name: str) -> str | None:
        return dict(self.options).get(name)


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    text: str
    demo: Demo | None = None
    commands: tuple[str, ...] = ()  # slash commands the page points at, "/lab diff"


@dataclass(frozen=True, slots=True)
class Question:
    key: str  # stable within the topic: answers are kept by it, not by position
    concept: str  # what it tests ("copy-up"): /class misconceptions groups by it
    text: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    explain: str
    demo: Demo | None = None  # a prediction: run this after answering

    @property
    def prediction(self) -> bool:
        return self.demo is not None


@dataclass(frozen=True, slots=True)
class Lesson:
    topic: str
    lang: str
    title: str
    summary: str
    pages: tuple[Page, ...]
    questions: tuple[Question, ...] = field(default=())

    def question(self, key: str) -> tuple[int, Question] | None:
        """The question with this id and its place in the quiz."""
        return next(((i, q) for i, q in enumerate(self.questions) if q.key == key), None)


def _question(q: dict[str, Any]) -> Question:
    return Question(
        key=str(q["id"]),
        concept=str(q["concept"]),
        text=q["question"].strip(),
        choices=tuple(q["choices"]),
        answer=int(q["answer"]),
        explain=q["explain"].strip(),
        demo=Demo.parse(q.get("demo")),
    )


def _lesson(topic: str, lang: str, data: dict[str, Any], quiz: dict[str, Any]) -> Lesson:
    return Lesson(
        topic=topic,
        lang=lang,
        title=data["title"],
        summary=data["summary"],
        pages=tuple(
            Page(
                title=p["title"],
                text=p["text"].strip(),
                demo=Demo.parse(p.get("demo")),
                commands=tuple(p.get("commands", ())),
            )
            for p in data["pages"]
        ),
        questions=tuple(_question(q) for q in quiz.get("question", ())),
    )


@functools.cache
def load() -> dict[str, dict[str, Lesson]]:
    """Every lesson: ``load()[topic][lang]``."""
    package = resources.files("bot.lessons")
    lessons: dict[str, dict[str, Lesson]] = {}
    for topic in COURSE:
        lessons[topic] = {}
        for lang in LANGUAGES:
            name = f"{topic}.{lang}.toml"
            pages = tomllib.loads(package.joinpath("data", name).read_text(encoding="utf-8"))
            quiz = tomllib.loads(package.joinpath("quiz", name).read_text(encoding="utf-8"))
            lessons[topic][lang] = _lesson(topic, lang, pages, quiz)
    return lessons
