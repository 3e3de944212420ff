"""Questions in the Q&A channel: a thread per question, answers, and the asker's one mention."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import discord

from bot.i18n import Catalog
from bot.render.units import human_duration
from bot.store import Passage, Question, Run
from bot.ui.presenter import NO_MENTIONS
from bot.ui.replies import Reply, make_embed
from bot.ui.text import fit_code_block, inline

log = logging.getLogger(__name__)

#: A passage shown under /ask or /faq is cut to this many characters.
SNIPPET = 350
#: Thread names are at most 100 characters in Discord.
THREAD_NAME = 90
HISTORY_LIMIT = 100
#: Room for the attached run in a thread message (Discord allows 2000 characters).
RUN_BUDGET = 1900


def safe(text: str) -> str:
    """Student text shown to others: no mentions, no markdown tricks."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def passages_embed(t: Catalog, lang: str, title: str, passages: Sequence[Passage]) -> discord.Embed:
    embed = make_embed(title, t(lang, "qna.none_found") if not passages else "")
    for passage in passages:
        if passage.ref.startswith("lesson:"):
            name = "📘 " + passage.title
            body = _snippet(passage.body) + "\n" + t(lang, "qna.read_more", topic=passage.ref.split(":")[1])
        else:
            name = "💬 " + _snippet(safe(passage.title))[:200]
            body = _snippet(safe(passage.body))
        embed.add_field(name=name[:256], value=body[:1024], inline=False)
    return embed


def ask_reply(t: Catalog, lang: str, question: Question, passages: Sequence[Passage], posted: bool) -> Reply:
    note = t(lang, "qna.posted" if posted else "qna.stored", id=question.id)
    return Reply(content=note, embeds=(passages_embed(t, lang, t(lang, "qna.maybe"), passages),))


def run_text(run: Run) -> str:
    summary = f"image={run.image or '-'}  exit={run.exit_code}  ({run.duration_ms} ms, {run.outcome})"
    lines = [f"/{run.command}  {summary}"]
    if run.input:
        lines.append(f"$ {run.input}")
    if run.output_head:
        lines.append(run.output_head.rstrip("\n"))
    if run.diff:
        lines += ["$ docker diff", run.diff.rstrip("\n")]
    return "\n".join(lines)


async def post_question(
    channel: discord.abc.Messageable, t: Catalog, lang: str, question: Question, run: Run | None
) -> tuple[int, int]:
    """The question in the Q&A channel, as its own thread; returns (thread id, message id)."""
    who = t(lang, "qna.anonymous") if question.anonymous else safe(question.display_name)
    header = t(lang, "qna.header", id=question.id, who=who)
    message = await channel.send(f"{header}\n>>> {safe(question.text)}", allowed_mentions=NO_MENTIONS)
    name = f"#{question.id} {' '.join(question.text.split())}"[:THREAD_NAME]
    thread = await message.create_thread(name=name)
    if run is not None:
        header = t(lang, "qna.run_attached") + "\n"
        block, _ = fit_code_block(run_text(run), RUN_BUDGET - len(header), "…")
        await thread.send(header + block, allowed_mentions=NO_MENTIONS)
    return thread.id, message.id


async def question_thread(guild: discord.Guild | None, question: Question) -> discord.Thread | None:
    """The question's thread, from the cache or (after a restart) from Discord."""
    if guild is None or question.thread_id is None:
        return None
    thread = guild.get_thread(question.thread_id)
    if thread is None:
        try:
            fetched = await guild.fetch_channel(question.thread_id)
        except discord.HTTPException:
            return None
        thread = fetched if isinstance(fetched, discord.Thread) else None
    return thread


async def teacher_reply(
    thread: discord.Thread | None, role: str, me: discord.ClientUser | None
) -> str | None:
    if thread is None or me is None:
        return None
    found = await last_teacher_message(thread, role, me.id)
    return found.content if found else None


async def last_teacher_message(thread: discord.Thread, role: str, bot_id: int) -> discord.Message | None:
    """The newest message in the thread written by a teacher (not the bot)."""
    async for message in thread.history(limit=HISTORY_LIMIT):
        if message.author.id == bot_id or not message.content.strip():
            continue
        try:
            member = await thread.guild.fetch_member(message.author.id)
        except discord.NotFound:
            continue
        if _member_is_teacher(member, role):
            return message
    return None


def _member_is_teacher(member: discord.Member, role: str) -> bool:
    return member.guild_permissions.manage_guild or any(r.name == role for r in member.roles)


async def announce_answer(thread: discord.abc.Messageable, t: Catalog, lang: str, question: Question) -> None:
    """The answer in the thread, and the one mention that tells the asker."""
    answer = safe(question.answer or "")
    await thread.send(t(lang, "qna.answer_header") + "\n>>> " + answer, allowed_mentions=NO_MENTIONS)
    only_asker = discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(id=question.user_id)]
    )
    await thread.send(
        t(lang, "qna.notify", user=f"<@{question.user_id}>", id=question.id), allowed_mentions=only_asker
    )


def listing_reply(t: Catalog, lang: str, questions: Sequence[Question], status: str) -> Reply:
    now = datetime.now(UTC)
    if not questions:
        return Reply(content=t(lang, "qna.list_none", status=status))
    lines = []
    for q in questions:
        who = safe(q.display_name) + (" 🕶" if q.anonymous else "")
        run = " 📎" if q.run_id else ""
        age = human_duration(now - q.created_at)
        lines.append(f"**#{q.id}** · {who} · {age}{run}\n> {inline(q.text)}")
    embed = make_embed(
        t(lang, "qna.list_title", status=status, count=len(questions)), "\n".join(lines)[:4000]
    )
    return Reply(content="", embeds=(embed,))


async def announce_close(thread: discord.abc.Messageable, t: Catalog, lang: str, question: Question) -> None:
    reason = safe(question.close_reason or "") or "-"
    await thread.send(t(lang, "qna.closed_note", reason=reason), allowed_mentions=NO_MENTIONS)
