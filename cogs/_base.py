"""What every topic cog is given: the course services and the way to answer."""

from __future__ import annotations

from typing import ClassVar

from discord.ext import commands

from bot.services.demos import Demos
from bot.ui.presenter import Presenter

#: Discord shows at most 25 autocomplete choices.
MAX_CHOICES = 25


class TopicCog(commands.Cog):
    #: The course topic (bot.lessons.COURSE) whose lesson this cog owns.
    topic: ClassVar[str]

    def __init__(self, demos: Demos, presenter: Presenter) -> None:
        self.demos = demos
        self.presenter = presenter
