"""Topic: `docker inspect` of an image (Architecture, Os, Size, RootFS layers);
a container's side is `/lab inspect`."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import LayerLabBot
from bot.i18n import describe
from bot.ui import replies
from cogs._base import TopicCog
from cogs._images import ImageChoices


class Inspect(ImageChoices, TopicCog):
    topic = "inspect"

    @app_commands.command(name="inspect", description=describe("cmd.inspect"))
    @app_commands.describe(image=describe("cmd.inspect_image"))
    @app_commands.autocomplete(image=ImageChoices.image_autocomplete)
    @app_commands.guild_only()
    async def inspect_image(
        self, interaction: discord.Interaction[LayerLabBot], image: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction)
        ref, details = await self.demos.inspect_image(job.owner, image)
        await job.finish(replies.inspect_image_reply(self.presenter.catalog, job.lang, ref, details))


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Inspect(bot.demos, bot.presenter))
