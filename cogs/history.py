"""Topic: `docker history`, an image's layers one by one."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import LayerLabBot
from bot.clock import utcnow
from bot.i18n import describe
from bot.ui import replies
from cogs._base import TopicCog
from cogs._images import ImageChoices


class History(ImageChoices, TopicCog):
    topic = "history"

    @app_commands.command(name="history", description=describe("cmd.history"))
    @app_commands.describe(image=describe("cmd.history_image"), full=describe("cmd.history_full"))
    @app_commands.autocomplete(image=ImageChoices.image_autocomplete)
    @app_commands.guild_only()
    async def history_show(
        self, interaction: discord.Interaction[LayerLabBot], image: str, full: bool = False
    ) -> None:
        job = await self.presenter.begin(interaction)
        ref, history = await self.demos.history(job.owner, image)
        reply = replies.history_reply(self.presenter.catalog, job.lang, ref, history, full=full, now=utcnow())
        await job.finish(reply)


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(History(bot.demos, bot.presenter))
