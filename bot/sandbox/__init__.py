"""The only package that talks to a Docker engine.

``Sandbox`` runs short-lived student containers under ``Limits`` and answers the
image questions of the course (history, images, info). The blocking ``docker``
SDK runs on a dedicated thread pool; nothing else in the bot imports ``docker``
(a lint rule enforces that).
"""

from bot.sandbox.engine import Sandbox
from bot.sandbox.limits import Limits

__all__ = ["Limits", "Sandbox"]
