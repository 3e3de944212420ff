"""What every topic cog is given: the course services and the way to answer."""

from __future__ import annotations

from discord.ext import commands

from bot.services.demos import Demos
from bot.ui.presenter import Presenter


class TopicCog(commands.Cog):
    def __init__(self, demos: Demos, presenter: Presenter) -> None:
        self.demos = demos
        self.presenter = presenter
