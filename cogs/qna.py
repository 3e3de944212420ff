"""Questions and answers: /ask, /faq for everyone; /answer, /questions and the
message menu "Use as answer" for teachers.

Discord cannot run a command group by its own name, so "/questions [status]"
is `/questions list [status]`, beside `/questions close id [reason]`.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.errors import UserError
from bot.i18n import describe
from bot.services.qna import QnA
from bot.settings import Settings
from bot.ui import qna as ui
from bot.ui.permissions import require_teacher
from bot.ui.presenter import Job, Presenter
from bot.ui.replies import Reply

STATUSES = [app_commands.Choice(name=s, value=s) for s in ("open", "answered", "closed")]


class Questions(commands.Cog):
    def __init__(
        self, qna: QnA, presenter: Presenter, settings: Settings, tree: app_commands.CommandTree[LayerLabBot]
    ) -> None:
        self.qna = qna
        self.presenter = presenter
        self.settings = settings
        self.tree = tree
        # A message menu ("Apps" when a message is right-clicked): a teacher's reply in a
        # question's thread becomes its answer, with no privileged intent (Discord sends
        # the message it was used on with the interaction).
        self.use_as_answer_menu = app_commands.ContextMenu(
            name=describe("cmd.use_as_answer"), callback=self.use_as_answer
        )
        self.use_as_answer_menu.guild_only = True

    async def cog_load(self) -> None:
        self.tree.add_command(self.use_as_answer_menu)

    async def cog_unload(self) -> None:
        self.tree.remove_command(self.use_as_answer_menu.name, type=self.use_as_answer_menu.type)

    def _channel(self, interaction: discord.Interaction[LayerLabBot]) -> discord.TextChannel | None:
        if self.settings.qna_channel is None or interaction.guild is None:
            return None
        channel = interaction.guild.get_channel(self.settings.qna_channel)
        return channel if isinstance(channel, discord.TextChannel) else None

    @app_commands.command(name="ask", description=describe("cmd.ask"))
    @app_commands.describe(
        question=describe("cmd.ask_question"),
        include_last_run=describe("cmd.ask_include_last_run"),
        anonymous=describe("cmd.ask_anonymous"),
    )
    @app_commands.guild_only()
    async def ask(
        self,
        interaction: discord.Interaction[LayerLabBot],
        question: str,
        include_last_run: bool = False,
        anonymous: bool = False,
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        asked = await self.qna.ask(
            job.owner,
            interaction.user.display_name,
            question,
            anonymous=anonymous,
            include_last_run=include_last_run,
            lang=job.lang,
        )
        channel = self._channel(interaction)
        if channel is not None:
            thread_id, message_id = await ui.post_question(
                channel, self.presenter.catalog, job.lang, asked.question, asked.run
            )
            await self.qna.posted(asked.question, thread_id=thread_id, message_id=message_id)
        reply = ui.ask_reply(
            self.presenter.catalog, job.lang, asked.question, asked.suggestions, channel is not None
        )
        await job.finish(reply, shareable=False)

    @app_commands.command(name="faq", description=describe("cmd.faq"))
    @app_commands.describe(query=describe("cmd.faq_query"))
    @app_commands.guild_only()
    async def faq(self, interaction: discord.Interaction[LayerLabBot], query: str) -> None:
        job = await self.presenter.begin(interaction)
        found = await self.qna.search(job.owner.guild_id, query, lang=job.lang)
        embed = ui.passages_embed(
            self.presenter.catalog, job.lang, self.presenter.catalog(job.lang, "qna.faq_title"), found
        )
        await job.finish(Reply(content="", embeds=(embed,)))

    @app_commands.command(name="answer", description=describe("cmd.answer"))
    @app_commands.describe(id=describe("cmd.answer_id"), text=describe("cmd.answer_text"))
    @app_commands.guild_only()
    async def answer(
        self, interaction: discord.Interaction[LayerLabBot], id: int, text: str | None = None
    ) -> None:
        require_teacher(interaction, self.settings.teacher_role)
        job = await self.presenter.begin(interaction, private=True)
        question = await self.qna.get(job.owner.guild_id, id)
        thread = await ui.question_thread(interaction.guild, question)
        if text is None:  # take the last teacher message in the question's thread
            if not self.settings.message_content_intent:  # Discord would send it empty
                raise UserError("qna.needs_text")
            text = await ui.teacher_reply(thread, self.settings.teacher_role, interaction.client.user)
            if text is None:
                raise UserError("qna.no_thread_answer", id=id)
        await self._answer(job, id, text, thread)

    async def use_as_answer(
        self, interaction: discord.Interaction[LayerLabBot], message: discord.Message
    ) -> None:
        require_teacher(interaction, self.settings.teacher_role)
        job = await self.presenter.begin(interaction, private=True)
        question = await self.qna.in_thread(job.owner.guild_id, message.channel.id)
        if not message.content.strip():
            raise UserError("qna.empty_answer")
        await self._answer(
            job, question.id, message.content, await ui.question_thread(interaction.guild, question)
        )

    async def _answer(self, job: Job, id: int, text: str, thread: discord.Thread | None) -> None:
        answered = await self.qna.answer(job.owner.guild_id, id, text, job.interaction.user.id)
        if thread is not None:
            await ui.announce_answer(thread, self.presenter.catalog, job.lang, answered)
        await job.finish(
            Reply(content=self.presenter.catalog(job.lang, "qna.answered", id=id)), shareable=False
        )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class QuestionsAdmin(commands.GroupCog, group_name="questions", group_description=describe("cmd.questions")):
    def __init__(self, qna: QnA, presenter: Presenter, teacher_role: str) -> None:
        self.qna = qna
        self.presenter = presenter
        self.teacher_role = teacher_role
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[LayerLabBot]) -> bool:  # type: ignore[override]
        require_teacher(interaction, self.teacher_role)
        return True

    @app_commands.command(name="list", description=describe("cmd.questions_list"))
    @app_commands.describe(status=describe("cmd.questions_status"))
    @app_commands.choices(status=STATUSES)
    async def questions_list(
        self, interaction: discord.Interaction[LayerLabBot], status: app_commands.Choice[str] | None = None
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        wanted = status.value if status else "open"
        questions = await self.qna.listing(job.owner.guild_id, wanted)
        await job.finish(
            ui.listing_reply(self.presenter.catalog, job.lang, questions, wanted), shareable=False
        )

    @app_commands.command(name="close", description=describe("cmd.questions_close"))
    @app_commands.describe(id=describe("cmd.answer_id"), reason=describe("cmd.questions_reason"))
    async def questions_close(
        self, interaction: discord.Interaction[LayerLabBot], id: int, reason: str = ""
    ) -> None:
        job = await self.presenter.begin(interaction, private=True)
        closed = await self.qna.close(job.owner.guild_id, id, reason)
        thread = await ui.question_thread(interaction.guild, closed)
        if thread is not None:
            await ui.announce_close(thread, self.presenter.catalog, job.lang, closed)
        await job.finish(
            Reply(content=self.presenter.catalog(job.lang, "qna.closed_done", id=id)), shareable=False
        )


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Questions(bot.qna, bot.presenter, bot.settings, bot.tree))
    await bot.add_cog(QuestionsAdmin(bot.qna, bot.presenter, bot.settings.teacher_role))
