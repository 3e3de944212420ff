"""Building the services once, and closing them in order."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.client import LayerLabBot
from bot.i18n import Catalog
from bot.sandbox.sandbox import Sandbox
from bot.services.demos import Demos
from bot.services.exercises import Exercises
from bot.services.fleet import Engine, Fleet
from bot.services.labs import LabPolicy, Labs
from bot.services.learning import Learning
from bot.services.playground import Playground
from bot.services.predictions import ClassPredictions
from bot.services.preferences import Preferences
from bot.services.privacy import Privacy
from bot.services.qna import QnA
from bot.services.recording import Recorder
from bot.settings import Settings
from bot.store import Database, Repositories

log = logging.getLogger(__name__)

#: Threads for blocking Docker calls: room for every admitted job plus the
#: quick look-ups (history, images, autocomplete) around them.
EXTRA_DOCKER_WORKERS = 4


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    repos: Repositories
    fleet: Fleet
    demos: Demos
    labs: Labs
    playground: Playground
    learning: Learning
    preferences: Preferences
    privacy: Privacy
    exercises: Exercises
    qna: QnA
    predictions: ClassPredictions

    def bot(
        self, *, sync_commands: bool = True, housekeeping: bool = True, guild_ready_timeout: float = 2.0
    ) -> LayerLabBot:
        return LayerLabBot(
            settings=self.settings,
            catalog=self.catalog,
            fleet=self.fleet,
            demos=self.demos,
            labs=self.labs,
            playground=self.playground,
            learning=self.learning,
            preferences=self.preferences,
            privacy=self.privacy,
            exercises=self.exercises,
            qna=self.qna,
            predictions=self.predictions,
            sync_commands=sync_commands,
            housekeeping=housekeeping,
            guild_ready_timeout=guild_ready_timeout,
        )


def make_sandboxes(settings: Settings) -> list[Sandbox]:
    """A sandbox on each configured engine, under the configured limits."""
    return [
        Sandbox(
            limits=settings.limits,
            base_images=settings.base_images,
            default_image=settings.default_image,
            image_quota=settings.image_quota,
            docker_host=url,
            workers=settings.sandbox_concurrency + EXTRA_DOCKER_WORKERS,
            warm_pool=settings.warm_pool,
        )
        for url in settings.engine_urls
    ]


@asynccontextmanager
async def services(settings: Settings) -> AsyncIterator[Services]:
    catalog = Catalog.load(settings.language)
    db = await Database.open(settings.database)
    repos = Repositories.over(db)
    sandboxes = make_sandboxes(settings)
    fleet = Fleet(
        [Engine.on(s, settings.sandbox_concurrency) for s in sandboxes], repos.placements, repos.runs
    )
    await fleet.load()
    recorder = Recorder(repos.runs)
    policy = LabPolicy(
        stop_after=timedelta(minutes=settings.lab_stop_minutes),
        remove_after=timedelta(hours=settings.lab_remove_hours),
    )
    labs = Labs(fleet, repos.labs, recorder, policy)
    playground = Playground(fleet, recorder, idle_after=timedelta(minutes=settings.lab_stop_minutes))
    preferences = Preferences(repos.preferences)
    await preferences.load()
    learning = Learning(repos.learning)
    qna = QnA(
        repos.questions,
        repos.runs,
        learning.lessons,
        per_hour=settings.ask_per_hour,
        max_chars=settings.ask_max_chars,
    )
    await qna.index_lessons()
    try:
        yield Services(
            settings=settings,
            catalog=catalog,
            repos=repos,
            fleet=fleet,
            demos=Demos(fleet, recorder, sandboxes[0].policy.default_image),
            labs=labs,
            playground=playground,
            learning=learning,
            preferences=preferences,
            privacy=Privacy(repos.privacy, fleet, labs, preferences, playground),
            exercises=Exercises(repos.exercises, repos.roster, fleet, recorder, ZoneInfo(settings.timezone)),
            qna=qna,
            predictions=ClassPredictions(repos.predictions, learning),
        )
    finally:
        await fleet.close()
        await db.close()
