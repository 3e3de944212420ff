"""The course: lessons and quizzes per topic, in Dutch and English, as data files.

``data/<topic>.<lang>.toml`` holds one topic in one language: a title, pages
(each optionally with a demo students can run from the page) and quiz
questions (each optionally a prediction checked by running a demo live).
Both languages of a topic have the same pages, demos and answers; a test
checks that, and that every page fits in a Discord embed.
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

    kind: str  # diff | history | info | inspect_image | lab_host | lab_inspect
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, data: Any) -> Demo | None:
        if data is None:
            return None
        options = tuple(sorted((str(k), str(v)) for k, v in data.items() if k != "kind"))
        return cls(kind=str(data["kind"]), options=options)

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
    text: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    explain: str
    demo: Demo | None = None  # a prediction: run this after answering


@dataclass(frozen=True, slots=True)
class Lesson:
    topic: str
    lang: str
    title: str
    summary: str
    pages: tuple[Page, ...]
    questions: tuple[Question, ...] = field(default=())


def _lesson(topic: str, lang: str, data: dict[str, Any]) -> Lesson:
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
        questions=tuple(
            Question(
                text=q["question"].strip(),
                choices=tuple(q["choices"]),
                answer=int(q["answer"]),
                explain=q["explain"].strip(),
                demo=Demo.parse(q.get("demo")),
            )
            for q in data.get("quiz", ())
        ),
    )


@functools.cache
def load() -> dict[str, dict[str, Lesson]]:
    """Every lesson: ``load()[topic][lang]``."""
    folder = resources.files("bot.lessons").joinpath("data")
    lessons: dict[str, dict[str, Lesson]] = {}
    for topic in COURSE:
        lessons[topic] = {}
        for lang in LANGUAGES:
            text = folder.joinpath(f"{topic}.{lang}.toml").read_text(encoding="utf-8")
            lessons[topic][lang] = _lesson(topic, lang, tomllib.loads(text))
    return lessons
