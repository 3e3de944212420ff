"""Class predictions in a channel: the question with its answer buttons, the
reveal (how the class answered, then the demo live) and the misconceptions view.

Nothing posted names a student: the channel sees counts, never who chose what.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import discord

from bot.errors import UserError
from bot.i18n import Catalog
from bot.lessons import Lesson
from bot.services.predictions import ClassPredictions, Misconception, Revealed
from bot.ui.controls import Control
from bot.ui.learning import LETTERS, bar, owner_of
from bot.ui.presenter import NO_MENTIONS, Presenter
from bot.ui.replies import EMBED_COLOUR, WARNING_COLOUR, Reply, make_embed
from bot.ui.text import inline
from bot.ui.tryit import TryIt

log = logging.getLogger(__name__)

#: Discord allows 25 fields in an embed; a teacher reads the worst ten first.
CONCEPTS_SHOWN = 10
FIELD_VALUE = 1024


def prediction_embed(t: Catalog, lang: str, lesson: Lesson, index: int) -> discord.Embed:
    q = lesson.questions[index]
    choices = "\n".join(f"**{LETTERS[i]}.** {choice}" for i, choice in enumerate(q.choices))
    text = f"{q.text}\n\n{choices}\n\n" + t(lang, "predict.how")
    return make_embed(t(lang, "predict.title", topic=lesson.title), text)


class PredictButton(Control, template=r"layerlab:predict:(?P<prediction>[0-9]{1,20}):(?P<choice>[0-9])"):
    """One answer (A, B, …) under a class prediction: locks in the presser's
    answer, which they may change until the reveal. Its state is in SQLite."""

    predictions: ClassVar[ClassPredictions]

    def __init__(self, prediction_id: int, choice: int, **button: Any) -> None:
        custom_id = f"layerlab:predict:{prediction_id}:{choice}"
        super().__init__(self.button(custom_id, button.pop("label", LETTERS[choice]), **button))
        self.prediction_id, self.choice = prediction_id, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PredictButton:
        return cls(int(match["prediction"]), int(match["choice"]))

    @classmethod
    def answers(
        cls, prediction_id: int, lesson: Lesson, index: int, *, closed: bool = False
    ) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        for number, _ in enumerate(lesson.questions[index].choices):
            view.add_item(
                cls(
                    prediction_id,
                    number,
                    label=LETTERS[number],
                    style=discord.ButtonStyle.primary,
                    disabled=closed,
                )
            )
        return view

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        owner = owner_of(interaction, interaction.user.id)
        lesson, index = await self.predictions.lock_in(self.prediction_id, owner, self.choice)
        t = self.presenter.catalog
        lang = self.presenter.language(interaction)
        choice = lesson.questions[index].choices[self.choice]
        await interaction.response.send_message(
            t(lang, "predict.locked", answer=f"{LETTERS[self.choice]}. {choice}"),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


def reveal_embed(t: Catalog, revealed: Revealed) -> discord.Embed:
    lang, q = revealed.prediction.lang, revealed.question
    total = revealed.total
    lines = [q.text, ""]
    for number, choice in enumerate(q.choices):
        count = revealed.counts.get(number, 0)
        mark = "✅" if number == q.answer else "▫️"
        share = f"{round(100 * count / total)}%" if total else "–"
        lines.append(f"{mark} **{LETTERS[number]}.** {choice}\n`{bar(count, total)}` {count} ({share})")
    lines += ["", t(lang, "predict.total", count=total), "", q.explain]
    if q.demo is not None:
        lines += ["", t(lang, "predict.live_below")]
    return make_embed(t(lang, "predict.reveal_title", topic=revealed.lesson.title), "\n".join(lines))


def reveal_reply(t: Catalog, revealed: Revealed, live: Reply | None, live_error: str | None) -> Reply:
    """How the class answered, then what the engine really did (or why it could not run)."""
    lang = revealed.prediction.lang
    tally = reveal_embed(t, revealed)
    if live is None:
        content = t(lang, "quiz.live") + "\n" + (live_error or "")
        return Reply(content=content, embeds=(tally,))
    return Reply(
        content=t(lang, "quiz.live") + "\n" + live.content,
        embeds=(tally, *live.embeds)[:10],
        files=live.files,
    )


async def live_reveal(
    tryit: TryIt, presenter: Presenter, interaction: discord.Interaction[Any], revealed: Revealed
) -> Reply:
    """The reveal with its demo run live, as the teacher who reveals (their job slot
    and engine); a demo that cannot run says why in the same message."""
    owner = owner_of(interaction, interaction.user.id)
    demo = revealed.question.demo
    live = live_error = None
    if demo is not None:
        try:
            live = await tryit.run(demo, owner, interaction.user.display_name, revealed.prediction.lang)
        except UserError as exc:
            live_error = presenter.error_message(interaction, exc)
    return reveal_reply(presenter.catalog, revealed, live, live_error)


async def post_in_channel(
    interaction: discord.Interaction[Any], reply: Reply, view: discord.ui.View | None = None
) -> int:
    """Post in the interaction's channel as the bot (a message it can edit later);
    its id. ``predict.cannot_post`` when Discord refuses."""
    channel = interaction.channel
    if channel is None or not isinstance(channel, discord.abc.Messageable):
        raise UserError("predict.cannot_post")
    kwargs: dict[str, Any] = {"view": view} if view is not None else {}
    try:
        message = await channel.send(
            content=reply.content or None,
            embeds=list(reply.embeds),
            files=reply.discord_files(),
            allowed_mentions=NO_MENTIONS,
            **kwargs,
        )
    except discord.HTTPException as exc:
        log.warning("Could not post in channel %s: %s", interaction.channel_id, exc)
        raise UserError("predict.cannot_post") from exc
    return message.id


async def publish_reveal(
    t: Catalog, lang: str, interaction: discord.Interaction[Any], reply: Reply, revealed: Revealed
) -> Reply:
    """The reveal posted for the class; the teacher's private answer. When the bot
    may not post here, the teacher gets the reveal itself (the answers are closed
    and counted either way: nothing is lost)."""
    try:
        await post_in_channel(interaction, reply)
    except UserError as exc:
        warning = make_embed("⚠️", t(lang, exc.key, **exc.params), WARNING_COLOUR)
        embeds = (warning, *reply.embeds)[:10]
        return Reply(content=reply.content, embeds=embeds, files=reply.files, alts=reply.alts)
    return Reply(content=t(lang, "predict.revealed", count=revealed.total))


async def close_prediction(
    interaction: discord.Interaction[Any], button: type[PredictButton], revealed: Revealed
) -> None:
    """The prediction's buttons, disabled: its answers are in."""
    message_id, channel = revealed.prediction.message_id, interaction.channel
    if message_id is None or not isinstance(
        channel, discord.TextChannel | discord.Thread | discord.PartialMessageable
    ):
        return
    view = button.answers(revealed.prediction.id, revealed.lesson, revealed.index, closed=True)
    try:
        await channel.get_partial_message(message_id).edit(view=view)
    except discord.HTTPException as exc:  # deleted meanwhile: late presses are refused anyway
        log.info("Could not close prediction %s: %s", revealed.prediction.id, exc)


def misconceptions_reply(t: Catalog, lang: str, found: Sequence[Misconception]) -> Reply:
    title = t(lang, "predict.misconceptions_title")
    if not found:
        return Reply(content="", embeds=(make_embed(title, t(lang, "predict.no_answers")),))
    embed = make_embed(title, t(lang, "predict.misconceptions_intro"), EMBED_COLOUR)
    for item in found[:CONCEPTS_SHOWN]:
        name = t(
            lang,
            "predict.concept",
            concept=item.concept,
            wrong=item.wrong,
            answers=item.answers,
            share=round(100 * item.wrong_share),
        )
        lines = [
            t(
                lang,
                "predict.wrong_line",
                choice=inline(w.choice),
                count=w.count,
                topic=w.topic_title,
                question=inline(w.question),
            )
            for w in item.top
        ]
        value = "\n".join(lines) or t(lang, "predict.all_right")
        embed.add_field(name=name[:256], value=value[:FIELD_VALUE], inline=False)
    if len(found) > CONCEPTS_SHOWN:
        embed.set_footer(text=t(lang, "predict.more", count=len(found) - CONCEPTS_SHOWN))
    return Reply(content="", embeds=(embed,))


__all__ = [
    "PredictButton",
    "close_prediction",
    "live_reveal",
    "misconceptions_reply",
    "post_in_channel",
    "prediction_embed",
    "publish_reveal",
    "reveal_reply",
]
