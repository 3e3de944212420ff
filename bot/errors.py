"""The one family of errors a user may see.

Every ``UserError`` carries a catalog key and its parameters; the command tree's
error handler turns it into a translated, private reply. Anything else that
escapes a command is unexpected: it is logged with a short id, and the user sees
only that id.
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """An error whose message the user should read, by catalog key."""

    key: str = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        if key is not None:
            self.key = key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class BadName(UserError):
    """A name or image reference the student typed is not acceptable."""


class ImageNotAllowed(UserError):
    key = "error.image_not_allowed"


class ImageNotPresent(UserError):
    key = "error.image_not_present"


class QuotaExceeded(UserError):
    key = "error.quota"


class EngineUnavailable(UserError):
    key = "error.engine_down"


class NetworkMissing(UserError):
    """LAYERLAB_SANDBOX_NETWORK names a network the engine does not have."""

    key = "error.network_missing"


class JobAlreadyRunning(UserError):
    key = "error.busy"


class ShuttingDown(UserError):
    """The bot is stopping (SIGTERM): new work is refused, queued work never starts."""

    key = "error.restarting"


class NotFound(UserError):
    key = "error.not_found"
