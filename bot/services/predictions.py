"""Predictions made by the whole class, and the misconceptions they and the
quizzes show.

A teacher posts one of a topic's prediction questions (a quiz question with a
demo) in a channel; each student locks in an answer, which they may change
until the teacher reveals. The reveal closes the question once, counts the
answers, keeps each among every answer given (``answers``), and the demo runs
live for everyone. ``misconceptions`` reads those answers, quizzes' and class
predictions' together: per concept, the wrong answers given most often.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import UserError
from bot.lessons import Lesson, Question
from bot.sandbox.models import Owner
from bot.services.learning import Learning
from bot.store import Prediction, PredictionStore

#: How many wrong answers /class misconceptions names per concept.
WRONG_PER_CONCEPT = 3


@dataclass(frozen=True, slots=True)
class Posted:
    prediction_id: int
    lesson: Lesson
    index: int  # the question's place in the topic's quiz

    @property
    def question(self) -> Question:
        return self.lesson.questions[self.index]


@dataclass(frozen=True, slots=True)
class Revealed:
    prediction: Prediction
    lesson: Lesson
    index: int
    counts: dict[int, int]  # choice -> how many students gave it

    @property
    def question(self) -> Question:
        return self.lesson.questions[self.index]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    topic_title: str
    question: str
    choice: str
    count: int


@dataclass(frozen=True, slots=True)
class Misconception:
    concept: str
    answers: int  # every answer given to this concept's questions
    wrong: int
    top: tuple[WrongAnswer, ...]  # the wrong answers given most often

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.answers if self.answers else 0.0


class ClassPredictions:
    def __init__(self, store: PredictionStore, learning: Learning) -> None:
        self.store = store
        self.learning = learning

    def choices(self, topic: str, lang: str) -> list[tuple[str, str]]:
        """(question id, text) of a topic's prediction questions, in quiz order."""
        if topic not in self.learning.lessons:
            return []
        return [(q.key, q.text) for q in self.learning.lesson(topic, lang).questions if q.prediction]

    def _find(self, topic: str, key: str, lang: str) -> tuple[Lesson, int]:
        lesson = self.learning.lessons.get(topic, {}).get(lang)
        if lesson is None:
            raise UserError("predict.no_topic", topic=topic)
        found = lesson.question(key.strip())
        if found is None and key.strip().isdigit():  # "3": the third question of the quiz
            number = int(key.strip()) - 1
            found = (number, lesson.questions[number]) if 0 <= number < len(lesson.questions) else None
        if found is None or not found[1].prediction:
            raise UserError("predict.no_question", topic=lesson.title)
        return lesson, found[0]

    async def post(self, owner: Owner, channel_id: int, topic_text: str, key: str, lang: str) -> Posted:
        topic = self.learning.find_topic(topic_text)
        if topic is None:
            raise UserError("predict.no_topic", topic=topic_text)
        lesson, index = self._find(topic, key, lang)
        prediction_id = await self.store.post(
            owner.guild_id, channel_id, topic, lesson.questions[index].key, lang
        )
        return Posted(prediction_id, lesson, index)

    async def posted(self, prediction_id: int, message_id: int | None) -> None:
        """The message is in the channel (``message_id``), or could not be posted (None)."""
        if message_id is None:
            await self.store.drop(prediction_id)
        else:
            await self.store.posted(prediction_id, message_id)

    async def lock_in(self, prediction_id: int, owner: Owner, choice: int) -> tuple[Lesson, int]:
        prediction = await self.store.get(prediction_id)
        if prediction is None or prediction.guild_id != owner.guild_id:
            raise UserError("predict.gone")
        lesson, index = self._find(prediction.topic, prediction.question, prediction.lang)
        if not 0 <= choice < len(lesson.questions[index].choices):
            raise UserError("predict.gone")
        if not await self.store.lock_in(prediction_id, owner.guild_id, owner.user_id, choice):
            raise UserError("predict.closed")
        return lesson, index

    async def reveal(self, owner: Owner, channel_id: int) -> Revealed:
        """Reveal the newest open prediction in this channel."""
        prediction = await self.store.open_in(owner.guild_id, channel_id)
        if prediction is None:
            raise UserError("predict.none_open")
        lesson, index = self._find(prediction.topic, prediction.question, prediction.lang)
        question = lesson.questions[index]
        counts = await self.store.reveal(prediction.id, question.concept, question.answer)
        if counts is None:  # two teachers at once: one reveal counts
            raise UserError("predict.none_open")
        return Revealed(prediction, lesson, index, counts)

    async def misconceptions(self, guild_id: int, lang: str, topic_text: str | None) -> list[Misconception]:
        topic = None
        if topic_text:
            topic = self.learning.find_topic(topic_text)
            if topic is None:
                raise UserError("predict.no_topic", topic=topic_text)
        totals: dict[str, list[int]] = {}
        wrong: dict[str, list[WrongAnswer]] = {}
        for row in await self.store.answer_counts(guild_id, topic):
            seen = totals.setdefault(row.concept, [0, 0])
            seen[0] += row.count
            if row.correct:
                continue
            seen[1] += row.count
            lesson = self.learning.lessons.get(row.topic, {}).get(lang)
            found = lesson.question(row.question) if lesson else None
            if lesson is None or found is None or row.choice >= len(found[1].choices):
                continue  # a question the course no longer has: counted, not named
            wrong.setdefault(row.concept, []).append(
                WrongAnswer(lesson.title, found[1].text, found[1].choices[row.choice], row.count)
            )
        found_all = [
            Misconception(
                concept=concept,
                answers=answers,
                wrong=wrongs,
                top=tuple(sorted(wrong.get(concept, []), key=lambda w: -w.count)[:WRONG_PER_CONCEPT]),
            )
            for concept, (answers, wrongs) in totals.items()
        ]
        return sorted(found_all, key=lambda m: (-m.wrong_share, -m.wrong, m.concept))
