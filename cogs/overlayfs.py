"""Topic: OverlayFS (lowerdir, upperdir, workdir, merged, copy-up, whiteouts).

No command of its own: its demos are /diff runs that copy up and delete files,
and /lab inspect and /lab host, which show the directories themselves."""

from __future__ import annotations

from bot.client import LayerLabBot
from cogs._base import TopicCog


class OverlayFS(TopicCog):
    topic = "overlayfs"


async def setup(bot: LayerLabBot) -> None:
    await bot.add_cog(OverlayFS(bot.demos, bot.presenter))
