"""Topic: image layers on a union filesystem (`docker images`, `docker rmi`, and the
layer explorer `/layers image` and `/layers compare`)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import LayerLabBot
from bot.clock import utcnow
from bot.i18n import describe
from bot.services.demos import check_path
from bot.ui import layer_replies, replies
from cogs._base import TopicCog
from cogs._images import ImageChoices


class ImageLayers(ImageChoices, TopicCog):
    topic = "image_layers"
    #: Discord cannot run a command group by its own name, so the issue's
    #: `/layers image [layer]` is the subcommand `image` (with the option `image`).
    layers = app_commands.Group(name="layers", description=describe("cmd.layers"), guild_only=True)

    @layers.command(name="image", description=describe("cmd.layers_image"))
    @app_commands.describe(image=describe("cmd.history_image"), layer=describe("cmd.layers_layer"))
    @app_commands.autocomplete(image=ImageChoices.image_autocomplete)
    async def layers_image(
        self, interaction: discord.Interaction[LayerLabBot], image: str, layer: int | None = None
    ) -> None:
        job = await self.presenter.begin(interaction)
        ref, found = await self.demos.layers(job.owner, image)
        await job.finish(layer_replies.layers_reply(self.presenter.catalog, job.lang, ref, found, layer))

    @app_commands.command(name="whence", description=describe("cmd.whence"))
    @app_commands.describe(path=describe("cmd.whence_path"), image=describe("cmd.whence_image"))
    @app_commands.autocomplete(image=ImageChoices.image_autocomplete)
    @app_commands.guild_only()
    async def whence_show(
        self, interaction: discord.Interaction[LayerLabBot], path: str, image: str | None = None
    ) -> None:
        job = await self.presenter.begin(interaction)
        ref, found, lab_changes = await self.demos.whence(job.owner, path, image)
        reply = layer_replies.whence_reply(
            self.presenter.catalog, job.lang, ref, found, check_path(path), lab_changes
        )
        await job.finish(reply)

    @layers.command(name="compare", description=describe("cmd.layers_compare"))
    @app_commands.describe(a=describe("cmd.layers_a"), b=describe("cmd.layers_b"))
    @app_commands.autocomplete(a=ImageChoices.image_autocomplete, b=ImageChoices.image_autocomplete)
    async def layers_compare(self, interaction: discord.Interaction[LayerLabBot], a: str, b: str) -> None:
        job = await self.presenter.begin(interaction)
        (ref_a, first), (ref_b, second) = await self.demos.compare_layers(job.owner, a, b)
        t = self.presenter.catalog
        await job.finish(layer_replies.compare_reply(t, job.lang, ref_a, ref_b, first, second))

    @app_commands.command(name="images", description=describe("cmd.images"))
    @app_commands.guild_only()
    async def images_list(self, interaction: discord.Interaction[LayerLabBot]) -> None:
        job = await self.presenter.begin(interaction)
        overview = await self.demos.images(job.owner)
        await job.finish(replies.images_reply(self.presenter.catalog, job.lang, overview, now=utcnow()))

    @app_commands.command(name="rmi", description=describe("cmd.rmi"))
    @app_commands.describe(name=describe("cmd.rmi_name"))
    @app_commands.guild_only()
    async def rmi_remove(self, interaction: discord.Interaction[LayerLabBot], name: str) -> None:
        job = await self.presenter.begin(interaction)
        result = await self.demos.remove_image(job.owner, name)
        await job.finish(replies.rmi_reply(self.presenter.catalog, job.lang, name, result))


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(ImageLayers(bot.demos, bot.presenter))
