"""The Discord client: services are built in ``bot.__main__`` and handed in here."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import EngineUnavailable
from bot.events import INTERACTION_DONE
from bot.i18n import Catalog, CatalogTranslator
from bot.sandbox import Sandbox
from bot.services.demos import Demos
from bot.services.exercises import Exercises
from bot.services.labs import Labs
from bot.services.learning import Learning
from bot.services.preferences import Preferences
from bot.services.privacy import Privacy
from bot.services.qna import QnA
from bot.settings import Settings
from bot.store import Store
from bot.ui.presenter import Presenter
from bot.ui.tree import LayerLabTree, log_interaction

log = logging.getLogger(__name__)

#: The cogs, one per topic, loaded by name (``bot`` never imports ``cogs``).
EXTENSIONS = (
    # one per course topic, in course order (bot.lessons.COURSE)
    "cogs.linux",
    "cogs.writable_layer",
    "cogs.lab",
    "cogs.image_layers",
    "cogs.history",
    "cogs.overlayfs",
    "cogs.inspect",
    "cogs.engine",
    "cogs.commit",
    # across topics
    "cogs.learning",
    "cogs.settings",
    "cogs.privacy",
    "cogs.exercises",
    "cogs.classroom",
    "cogs.qna",
    "cogs.admin",
)
#: How often leftover one-shot containers are looked for.
JANITOR_INTERVAL_MINUTES = 1.0


class LayerLabBot(commands.Bot):
    tree: LayerLabTree

    def __init__(
        self,
        *,
        settings: Settings,
        catalog: Catalog,
        sandbox: Sandbox,
        store: Store,
        demos: Demos,
        labs: Labs,
        learning: Learning,
        preferences: Preferences,
        privacy: Privacy,
        exercises: Exercises,
        qna: QnA,
        sync_commands: bool = True,
        housekeeping: bool = True,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        # /answer without text reads a teacher's reply in the question's thread:
        # message content is a privileged intent, to switch on in the developer portal.
        intents.message_content = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=LayerLabTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.catalog = catalog
        self.sandbox = sandbox
        self.store = store
        self.demos = demos
        self.labs = labs
        self.learning = learning
        self.privacy = privacy
        self.exercises = exercises
        self.qna = qna
        self.presenter = Presenter(
            catalog, preferences, public=settings.public_results, limits=settings.limits
        )
        self.sync_commands = sync_commands
        self.housekeeping = housekeeping

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator(self.catalog))
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.housekeeping:
            await self.remove_leftovers()
            try:
                await self.labs.reconcile()
            except EngineUnavailable:
                log.warning("Engine unreachable; lab containers will be reconciled once it answers")
            self.janitor.start()
        if self.sync_commands:
            await self.sync_guilds(self.settings.guild_ids)

    async def sync_guilds(self, guild_ids: list[int]) -> list[app_commands.AppCommand]:
        synced: list[app_commands.AppCommand] = []
        for guild_id in guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced += await self.tree.sync(guild=guild)
            log.info("Synced commands to guild %s", guild_id)
        return synced

    async def remove_leftovers(self) -> None:
        try:
            await self.sandbox.remove_leftovers()
        except EngineUnavailable:
            log.warning("Engine unreachable; leftover containers will be removed once it answers")

    @tasks.loop(minutes=JANITOR_INTERVAL_MINUTES)
    async def janitor(self) -> None:
        await self.remove_leftovers()
        try:
            await self.labs.tick()
        except EngineUnavailable:
            log.warning("Engine unreachable; idle lab containers are left as they are for now")

    @janitor.before_loop
    async def _janitor_wait(self) -> None:
        await self.wait_until_ready()

    async def close(self) -> None:
        self.janitor.cancel()
        await super().close()

    async def on_app_command_completion(
        self, interaction: discord.Interaction[Any], command: app_commands.Command[Any, ..., Any]
    ) -> None:
        log_interaction(interaction, "ok")
        self.dispatch(INTERACTION_DONE, interaction)
