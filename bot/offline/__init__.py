"""Running the bot without Discord: a local stand-in for Discord's REST API and
gateway, used by the offline console and by the tests.

The bot itself runs unchanged, through discord.py's real code path; only the
two base URLs discord.py reads are pointed at 127.0.0.1.
"""

from bot.offline.fake import FakeDiscord, FakeInteraction, FakeUser
from bot.offline.session import OfflineSession, offline_bot

__all__ = ["FakeDiscord", "FakeInteraction", "FakeUser", "OfflineSession", "offline_bot"]
