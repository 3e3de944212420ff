"""/privacy show and /privacy forget. (Discord cannot run a group by its own
name, so "/privacy" is `/privacy show`.)"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.services.privacy import Privacy
from bot.ui.presenter import Presenter
from bot.ui.privacy import ForgetButton
from bot.ui.replies import make_embed


@app_commands.guild_only()
class PrivacyCog(commands.GroupCog, group_name="privacy", group_description=describe("cmd.privacy")):
    def __init__(self, privacy: Privacy, presenter: Presenter, forget_button: type[ForgetButton]) -> None:
        self.privacy = privacy
        self.presenter = presenter
        self.forget_button = forget_button
        super().__init__()

    @app_commands.command(name="show", description=describe("cmd.privacy_show"))
    async def privacy_show(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        about = await self.privacy.about(job.owner)
        t = self.presenter.catalog
        text = t(
            job.lang,
            "privacy.stored",
            runs=about.rows.runs,
            progress=about.rows.progress,
            quizzes=about.rows.quiz_attempts,
            answers=about.rows.answers,
            questions=about.rows.questions,
            exercises=about.rows.exercise_attempts,
            settings=about.rows.settings,
            images=about.images,
            lab=t(job.lang, "privacy.yes" if about.lab_container else "privacy.no"),
            playground=t(job.lang, "privacy.yes" if about.playground else "privacy.no"),
        )
        await job.show(make_embed(t(job.lang, "privacy.title"), text), None)

    @app_commands.command(name="forget", description=describe("cmd.privacy_forget"))
    async def privacy_forget(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        t = self.presenter.catalog
        view = self.forget_button.confirmation(t, job.lang, job.owner.user_id)
        await job.show(make_embed(t(job.lang, "privacy.title"), t(job.lang, "privacy.ask")), view)


async def setup(bot: LayerLabBot) -> None:
    forget_button = ForgetButton.bind(presenter=bot.presenter, privacy=bot.privacy)
    bot.add_controls(forget_button)
    await bot.add_cog(PrivacyCog(bot.privacy, bot.presenter, forget_button))
