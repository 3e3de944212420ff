"""/privacy show and /privacy forget. (Discord cannot run a group by its own
name, so "/privacy" is `/privacy show`.)"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.sandbox.models import Owner
from bot.services.privacy import Privacy
from bot.ui.learning import OwnedView
from bot.ui.presenter import Presenter
from bot.ui.replies import make_embed


class ForgetView(OwnedView):
    def __init__(self, owner: Owner, presenter: Presenter, lang: str, privacy: Privacy) -> None:
        super().__init__(owner, presenter, lang)
        self.privacy = privacy
        self.button(self.t(lang, "privacy.confirm"), self.confirm, style=discord.ButtonStyle.danger)
        self.button(self.t(lang, "privacy.cancel"), self.cancel)

    async def confirm(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer()
        gone = await self.privacy.forget(self.owner)
        self.stop()
        text = self.t(
            self.lang, "privacy.forgotten", rows=gone.rows, images=gone.images, labs=gone.lab_containers
        )
        await interaction.edit_original_response(
            embed=make_embed(self.t(self.lang, "privacy.title"), text), view=None
        )

    async def cancel(self, interaction: discord.Interaction[Any]) -> None:
        self.stop()
        embed = make_embed(self.t(self.lang, "privacy.title"), self.t(self.lang, "privacy.kept"))
        await interaction.response.edit_message(embed=embed, view=None)


@app_commands.guild_only()
class PrivacyCog(commands.GroupCog, group_name="privacy", group_description=describe("cmd.privacy")):
    def __init__(self, privacy: Privacy, presenter: Presenter) -> None:
        self.privacy = privacy
        self.presenter = presenter
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
            settings=about.rows.settings,
            images=about.images,
            lab=t(job.lang, "privacy.yes" if about.lab_container else "privacy.no"),
        )
        await job.show(make_embed(t(job.lang, "privacy.title"), text), None)

    @app_commands.command(name="forget", description=describe("cmd.privacy_forget"))
    async def privacy_forget(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction, private=True)
        t = self.presenter.catalog
        view = ForgetView(job.owner, self.presenter, job.lang, self.privacy)
        await job.show(make_embed(t(job.lang, "privacy.title"), t(job.lang, "privacy.ask")), view)


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(PrivacyCog(bot.privacy, bot.presenter))
