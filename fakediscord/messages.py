"""The messages the fake Discord holds: stored as Discord returns them, edited
as Discord edits them (attachments kept by id), listed per channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakediscord.limits import LOADING
from fakediscord.models import FakeInteraction, FakeUser, now, snowflake


class MessageStore:
    """Every message and its files (a part of ``FakeDiscord``)."""

    guild_id: int
    channel_id: int
    bot_user: FakeUser
    members: dict[int, FakeUser]
    messages: dict[str, dict[str, Any]]
    files: dict[str, dict[str, bytes]]  # message id -> filename -> bytes

    if TYPE_CHECKING:  # provided by FakeDiscord

        @property
        def base_url(self) -> str: ...

    def post_as(self, channel_id: str, user: FakeUser, content: str) -> dict[str, Any]:
        """A message a person writes (a teacher's reply in a question's thread)."""
        self.members[user.id] = user
        return self.store_message({"content": content}, {}, channel_id=channel_id, author=user.payload())

    def _attachment(self, message_id: str, name: str, data: bytes, description: str | None) -> dict[str, Any]:
        """An attachment as Discord describes it; its URL serves the bytes (``attachment_file``),
        and its text alternative is kept when one was sent."""
        url = f"{self.base_url}/attachments/{message_id}/{name}"
        found = {"id": snowflake(), "filename": name, "size": len(data), "url": url, "proxy_url": url}
        return found | ({"description": description} if description else {})

    def attachment_file(self, message_id: str, name: str) -> bytes | None:
        return self.files.get(message_id, {}).get(name)

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return sorted(
            (m for m in self.messages.values() if m["channel_id"] == channel_id), key=lambda m: int(m["id"])
        )

    def store_message(
        self,
        payload: dict[str, Any],
        files: dict[str, bytes],
        *,
        message_id: str | None = None,
        flags: int = 0,
        interaction: FakeInteraction | None = None,
        channel_id: str | None = None,
        author: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message_id = message_id or snowflake()
        said = _descriptions(payload)
        attachments = [self._attachment(message_id, n, data, said.get(n)) for n, data in files.items()]
        message = {
            "id": message_id,
            "channel_id": channel_id or str(self.channel_id),
            "guild_id": str(self.guild_id),
            "author": author or {**self.bot_user.payload(), "bot": True},
            "content": payload.get("content") or "",
            "timestamp": now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": 20 if interaction else 0,
            "flags": flags | (payload.get("flags") or 0),
            "allowed_mentions": payload.get("allowed_mentions"),
        }
        if interaction is not None:
            message["interaction"] = {
                "id": interaction.id,
                "type": interaction.payload["type"],
                "name": interaction.payload.get("data", {}).get("name", ""),
                "user": interaction.user.payload(),
            }
        self.messages[message_id] = message
        self.files[message_id] = dict(files)
        return message

    def edit_message(
        self, message_id: str, payload: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        message = self.messages[message_id]
        for key in ("content", "embeds", "components"):
            if key in payload:
                message[key] = payload[key] if payload[key] is not None else ([] if key != "content" else "")
        if "allowed_mentions" in payload:
            message["allowed_mentions"] = payload["allowed_mentions"]
        if "attachments" in payload:
            # Attachments listed by an existing id are kept; new ones come as files.
            old_files = self.files.get(message_id, {})
            old_by_id = {a["id"]: a["filename"] for a in message["attachments"]}
            said = {a["filename"]: a.get("description") for a in message["attachments"]}
            said |= _descriptions(payload)
            current = {
                old_by_id[str(a["id"])]: old_files.get(old_by_id[str(a["id"])], b"")
                for a in payload["attachments"]
                if str(a.get("id")) in old_by_id
            }
            current.update(files)
            self.files[message_id] = current
            message["attachments"] = [
                self._attachment(message_id, n, d, said.get(n)) for n, d in current.items()
            ]
        message["flags"] = message.get("flags", 0) & ~LOADING
        message["edited_timestamp"] = now()
        return message


def _descriptions(payload: dict[str, Any]) -> dict[str, str]:
    """The text alternatives sent with new files, by file name."""
    return {
        str(a["filename"]): str(a["description"])
        for a in payload.get("attachments") or ()
        if a.get("filename") and a.get("description")
    }
