"""A local stand-in for Discord, to run a discord.py bot without Discord.

``FakeDiscord`` (server.py) serves Discord's REST API and a JSON gateway on
127.0.0.1 and keeps the limits real Discord enforces (limits.py); the bot runs
unchanged through discord.py's real code path, only pointed at it.
``OfflineSession`` (session.py) types slash commands, clicks buttons and
submits forms as a user would. Used by layerlab's offline console and tests;
it knows nothing of layerlab itself.
"""

from fakediscord.models import FakeInteraction, FakeUser, Recorded
from fakediscord.server import FakeDiscord, point_discord_py_at
from fakediscord.session import CommandLineError, OfflineSession, offline_bot

__all__ = [
    "CommandLineError",
    "FakeDiscord",
    "FakeInteraction",
    "FakeUser",
    "OfflineSession",
    "Recorded",
    "offline_bot",
    "point_discord_py_at",
]
