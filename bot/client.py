"""The Discord client: services are built in ``bot.__main__`` and handed in here."""

from __future__ import annotations

import logging
import time
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import EngineUnavailable
from bot.i18n import Catalog, CatalogTranslator
from bot.services.demos import Demos
from bot.services.exercises import Exercises
from bot.services.fleet import Fleet
from bot.services.labs import Labs
from bot.services.learning import Learning
from bot.services.playground import Playground
from bot.services.predictions import ClassPredictions
from bot.services.preferences import Preferences
from bot.services.privacy import Privacy
from bot.services.qna import QnA
from bot.settings import Settings
from bot.ui.controls import Control, Expired
from bot.ui.presenter import Presenter
from bot.ui.tree import LayerLabTree
from bot.ui.tryit import TryIt

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
#: Seconds a stopping bot waits for the answers of the commands it ended to be posted.
ANSWER_WAIT = 5.0


class LayerLabBot(commands.Bot):
    tree: LayerLabTree

    def __init__(
        self,
        *,
        settings: Settings,
        catalog: Catalog,
        fleet: Fleet,
        demos: Demos,
        labs: Labs,
        playground: Playground,
        learning: Learning,
        preferences: Preferences,
        privacy: Privacy,
        exercises: Exercises,
        qna: QnA,
        predictions: ClassPredictions,
        sync_commands: bool = True,
        housekeeping: bool = True,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        # /answer without text reads a teacher's reply in the question's thread: message
        # content is a privileged intent (switched on in the developer portal too), so it
        # is asked for only when configured; the "Use as answer" menu needs none.
        intents.message_content = settings.message_content_intent
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=LayerLabTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            # How long discord.py waits for more guilds after the last one arrived
            # before it is ready (real Discord sends them lazily).
            guild_ready_timeout=guild_ready_timeout,
        )
        self.settings = settings
        self.catalog = catalog
        self.fleet = fleet
        #: For /admin status: when this process's bot was made.
        self.started_at = time.time()
        self.demos = demos
        self.labs = labs
        self.playground = playground
        self.learning = learning
        self.privacy = privacy
        self.exercises = exercises
        self.qna = qna
        self.predictions = predictions
        self.presenter = Presenter(
            catalog,
            preferences,
            public=settings.public_results,
            limits=settings.limits,
            engine_of=fleet.engine_name,
        )
        #: Runs a lesson's or question's demo (Try it, quiz predictions, class reveals).
        self.tryit = TryIt(demos, labs, playground, self.presenter)
        self.sync_commands = sync_commands
        self.housekeeping = housekeeping
        #: Every button kind this bot posts (``add_controls``); any other press is ``Expired``.
        self.controls: list[type[Control]] = []

    def add_controls(self, *controls: type[Control]) -> None:
        """Register controls (each cog its own, bound to its services)."""
        self.controls.extend(controls)
        self.add_dynamic_items(*controls)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator(self.catalog))
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_controls(self.presenter.share)
        self.add_dynamic_items(Expired.excluding(self.controls, self.presenter))
        if self.housekeeping:
            await self.remove_leftovers()
            await self.labs.reconcile()  # engines that do not answer keep their rows
            self.janitor.start()
        self.fleet.start_warm()
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
        for engine in await self.fleet.answering():
            try:
                await engine.sandbox.cleanup.remove_leftovers()
            except EngineUnavailable:
                log.warning(
                    "Engine %s unreachable; its leftover containers are removed once it answers", engine.name
                )

    @tasks.loop(minutes=JANITOR_INTERVAL_MINUTES)
    async def janitor(self) -> None:
        try:
            await self.remove_leftovers()
            await self.labs.tick()  # on the engines that answer
            await self.playground.tick()
        except Exception:  # an error must not end the loop for the rest of the semester
            log.exception("Housekeeping failed; trying again in %s minute(s)", JANITOR_INTERVAL_MINUTES)

    @janitor.before_loop
    async def _janitor_wait(self) -> None:
        await self.wait_until_ready()

    async def close(self) -> None:
        self.janitor.cancel()
        await super().close()

    async def shutdown(self, grace: float) -> None:
        """A stop asked for (SIGTERM): take no new work, refuse what waits, give what
        runs ``grace`` seconds and then end it, post those answers, remove this
        process's one-shot containers, and close. Lab containers stay; every SQLite
        write is a committed transaction, so nothing is half-written."""
        if self.presenter.closing:
            return
        self.presenter.closing = True
        self.janitor.cancel()
        log.info("Stopping: new commands are refused; running ones get %.0f s", grace)
        report = await self.fleet.stop(grace)
        unanswered = await self.presenter.settled(ANSWER_WAIT)
        log.info(
            "Stopped: %d waiting job(s) refused, %d running command(s) ended, %d container(s) removed,"
            " %d job(s) and %d answer(s) left unfinished",
            report.refused,
            report.ended,
            report.removed,
            report.left,
            unanswered,
        )
        await self.close()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            data = cast(dict[str, Any], interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            if custom_id not in self.presenter.forms:
                await self.presenter.handled(interaction, lambda: self.presenter.orphan_form(interaction))

    async def on_app_command_completion(
        self, interaction: discord.Interaction[Any], command: app_commands.Command[Any, ..., Any]
    ) -> None:
        self.presenter.finished(interaction)
