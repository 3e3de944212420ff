"""Topic: the container's writable layer (`docker diff`)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.ui import replies
from cogs._base import TopicCog
from cogs._images import ImageChoices


class WritableLayer(ImageChoices, TopicCog):
    topic = "writable_layer"

    @app_commands.command(name="diff", description=describe("cmd.diff"))
    @app_commands.describe(command=describe("cmd.diff_command"), image=describe("cmd.diff_image"))
    @app_commands.autocomplete(image=ImageChoices.image_autocomplete)
    @app_commands.guild_only()
    async def diff_run(
        self,
        interaction: discord.Interaction[LayerLabBot],
        command: str | None = None,
        image: str | None = None,
    ) -> None:
        job = await self.presenter.begin(interaction)
        result = await self.demos.diff(job.owner, command, image, on_wait=job.on_wait)
        await job.finish(replies.diff_reply(self.presenter.catalog, job.lang, result, self.presenter.limits))


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(WritableLayer(bot.demos, bot.presenter))
