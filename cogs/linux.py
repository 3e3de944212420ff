"""Topic: how containers work in Linux (namespaces, cgroups, the shared kernel).

No command of its own: the lesson's demos run /diff with commands that show
the namespaces and limits from inside a container."""

from __future__ import annotations

from bot.client import LayerLabBot
from cogs._base import TopicCog


class Linux(TopicCog):
    topic = "linux"


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(Linux(bot.demos, bot.presenter))
