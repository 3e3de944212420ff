"""What the fake Discord sends about its one guild: the guild, its channel, members,
threads and the base of every interaction, shaped as discord.py parses them."""

from __future__ import annotations

from typing import Any

from fakediscord.limits import ATTACHMENT_SIZE_LIMIT
from fakediscord.models import FakeUser, now, snowflake


class GuildPayloads:
    """Payloads of one guild (a part of ``FakeDiscord``)."""

    guild_id: int
    channel_id: int
    application_id: int
    teacher_role_id: int
    teacher_role_name: str
    bot_user: FakeUser
    threads: dict[str, dict[str, Any]]

    def guild_payload(self) -> dict[str, Any]:
        role = {"color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        return {
            "id": str(self.guild_id),
            "name": "Systems Advanced",
            "owner_id": "1",
            "unavailable": False,
            "member_count": 2,
            "features": [],
            "emojis": [],
            "stickers": [],
            "members": [],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "preferred_locale": "nl",
            "channels": [
                {
                    "id": str(self.channel_id),
                    "type": 0,
                    "name": "lab",
                    "position": 0,
                    "permission_overwrites": [],
                }
            ],
            "roles": [
                {**role, "id": str(self.guild_id), "name": "@everyone", "permissions": "2048", "position": 0},
                {
                    **role,
                    "id": str(self.teacher_role_id),
                    "name": self.teacher_role_name,
                    "permissions": "2048",
                    "position": 1,
                },
            ],
        }

    def interaction_base(self, user: FakeUser, locale: str, kind: int) -> dict[str, Any]:
        return {
            "id": snowflake(),
            "application_id": str(self.application_id),
            "type": kind,
            "token": "tok-" + snowflake(),
            "version": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id),
            "channel": self.channel_payload(),
            "member": {
                "user": user.payload(),
                "roles": [str(r) for r in user.roles],
                "flags": 0,
                "joined_at": now(),
                "permissions": str(user.permissions),
                "deaf": False,
                "mute": False,
                "nick": None,
                "avatar": None,
            },
            "locale": locale,
            "guild_locale": "nl",
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }

    def member_payload(self, user: FakeUser) -> dict[str, Any]:
        return {
            "user": user.payload(),
            "roles": [str(r) for r in user.roles],
            "flags": 0,
            "joined_at": now(),
            "deaf": False,
            "mute": False,
            "nick": None,
            "avatar": None,
        }

    def thread(self, parent_id: str, name: str, message_id: str) -> dict[str, Any]:
        thread = {
            "id": message_id,  # as in Discord: a thread from a message has the message's id
            "type": 11,
            "guild_id": str(self.guild_id),
            "parent_id": parent_id,
            "owner_id": str(self.bot_user.id),
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 10080,
                "archive_timestamp": now(),
                "locked": False,
            },
        }
        self.threads[message_id] = thread
        return thread

    def channel_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.channel_id),
            "type": 0,
            "name": "lab",
            "guild_id": str(self.guild_id),
            "position": 0,
            "permission_overwrites": [],
            "permissions": "2048",
        }
