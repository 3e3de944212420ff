"""Topic: a new image from a container (`docker commit`)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import LayerLabBot
from bot.clock import utcnow
from bot.i18n import describe
from bot.ui import replies
from cogs._base import TopicCog
from cogs._images import ImageChoices


class Commit(ImageChoices, TopicCog):
    topic = "commit"

    @app_commands.command(name="commit", description=describe("cmd.commit"))
    @app_commands.describe(
        name=describe("cmd.commit_name"),
        command=describe("cmd.commit_command"),
        image=describe("cmd.commit_image"),
    )
    @app_commands.autocomplete(image=ImageChoices.image_autocomplete)
    @app_commands.guild_only()
    async def commit_image(
        self,
        interaction: discord.Interaction[LayerLabBot],
        name: str,
        command: str,
        image: str | None = None,
    ) -> None:
        job = await self.presenter.begin(interaction)
        base, result = await self.demos.commit(job.owner, name, command, image, on_wait=job.on_wait)
        reply = replies.commit_reply(
            self.presenter.catalog, job.lang, base, result, self.presenter.limits, now=utcnow()
        )
        await job.finish(reply)


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Commit(bot.demos, bot.presenter))
