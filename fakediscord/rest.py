"""The REST side of the fake Discord: the routes discord.py calls (login, command
sync, interaction callbacks, webhooks, channel messages, threads, members), each
checked against Discord's limits. A refusal is a 400, as Discord answers; never
a 5xx, which discord.py would retry for seconds."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from fakediscord.limits import EPHEMERAL, FIRST_RESPONSE_SECONDS, LOADING, check_message
from fakediscord.models import FakeInteraction, FakeUser, Recorded, snowflake

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py wants exactly "application/json" (no charset) to parse a body.
    return web.Response(status=status, body=json.dumps(data), headers={"Content-Type": "application/json"})


class RestApi:
    """The REST routes (a part of ``FakeDiscord``)."""

    guild_id: int
    channel_id: int
    application_id: int
    bot_user: FakeUser
    records: list[Recorded]
    violations: list[str]
    interactions: dict[str, FakeInteraction]
    synced_commands: dict[str, list[dict[str, Any]]]
    threads: dict[str, dict[str, Any]]
    members: dict[int, FakeUser]
    messages: dict[str, dict[str, Any]]
    refused_channels: set[str]

    if TYPE_CHECKING:  # provided by FakeDiscord and its other parts

        @property
        def base_url(self) -> str: ...

        def store_message(
            self, payload: dict[str, Any], files: dict[str, bytes], **kwargs: Any
        ) -> dict[str, Any]: ...

        def edit_message(
            self, message_id: str, payload: dict[str, Any], files: dict[str, bytes]
        ) -> dict[str, Any]: ...

        def thread(self, parent_id: str, name: str, message_id: str) -> dict[str, Any]: ...

        def channel_payload(self) -> dict[str, Any]: ...

        def member_payload(self, user: FakeUser) -> dict[str, Any]: ...

    def _violation(self, text: str) -> web.Response:
        log.warning("fake Discord refused a request: %s", text)
        self.violations.append(text)
        return _json({"code": 50035, "message": f"Invalid Form Body: {text}", "errors": {}}, status=400)

    async def _read_body(self, request: web.Request) -> tuple[Any, dict[str, bytes]]:
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            payload: dict[str, Any] = {}
            reader = await request.multipart()
            by_part: dict[str, bytes] = {}
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                elif part.name:
                    by_part[part.name] = await part.read()
            for attachment in payload.get("attachments", []):
                data = by_part.get(f"files[{attachment['id']}]")
                if data is not None:
                    files[attachment["filename"]] = data
            return payload, files
        if request.can_read_body:
            return await request.json(), files
        return {}, files

    async def _api(self, request: web.Request) -> web.Response:
        parts = request.match_info["tail"].split("/")
        method = request.method
        try:
            payload, files = await self._read_body(request)
        except (ValueError, json.JSONDecodeError):
            return self._violation(f"unreadable body for {method} {request.path}")

        if parts[:2] == ["users", "@me"] and method == "GET":
            return _json({**self.bot_user.payload(), "bot": True})
        if parts[:3] == ["oauth2", "applications", "@me"]:
            return _json(
                {
                    "id": str(self.application_id),
                    "name": "layerlab",
                    "description": "",
                    "icon": None,
                    "bot_public": False,
                    "bot_require_code_grant": False,
                    "owner": {"id": "1", "username": "teacher", "discriminator": "0", "avatar": None},
                    "verify_key": "0" * 64,
                    "flags": 0,
                }
            )
        if parts[0] == "gateway":
            return _json({"url": self.base_url.replace("http", "ws") + "/gateway", "shards": 1})
        if parts[0] == "applications" and "commands" in parts:
            key = parts[3] if len(parts) > 3 and parts[2] == "guilds" else "global"
            if method == "PUT":
                # Discord answers with every field: a message or user menu (type 2, 3)
                # is sent without a description and comes back with an empty one.
                commands = [
                    {
                        "description": "",
                        **c,
                        "id": snowflake(),
                        "application_id": str(self.application_id),
                        "version": "1",
                    }
                    for c in payload
                ]
                for c in commands:
                    if key != "global":
                        c["guild_id"] = key
                self.synced_commands[key] = commands
                self.records.append(Recorded("commands", None, {"commands": commands, "scope": key}))
                return _json(commands)
            if method == "GET":
                return _json(self.synced_commands.get(key, []))
        if parts[0] == "interactions" and len(parts) == 4 and parts[3] == "callback":
            return self._callback(parts[2], payload, files)
        if parts[0] == "webhooks" and len(parts) >= 3:
            return self._webhook(method, parts[2], parts[3:], payload, files)
        refused = parts[0] == "channels" and len(parts) > 2 and parts[1] in self.refused_channels
        if refused and method in ("POST", "PATCH"):  # the bot lacks Send Messages there
            return _json({"code": 50013, "message": "Missing Permissions"}, status=403)
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "messages" and method == "POST":
            problem = check_message(payload, files)
            if problem:
                return self._violation(problem)
            message = self.store_message(payload, files, channel_id=parts[1])
            self.records.append(Recorded("channel_message", None, payload, files, message["id"]))
            return _json(message)
        if parts[0] == "channels" and len(parts) == 4 and parts[2] == "messages" and method == "PATCH":
            # A bot may edit its own messages in a channel (Discord answers 50005 otherwise).
            target = self.messages.get(parts[3])
            if target is None or target["channel_id"] != parts[1]:
                return _json({"code": 10008, "message": "Unknown Message"}, status=404)
            if target.get("author", {}).get("id") != str(self.bot_user.id):
                return _json(
                    {"code": 50005, "message": "Cannot edit a message authored by another user"}, 403
                )
            problem = check_message(payload, files)
            if problem:
                return self._violation(problem)
            message = self.edit_message(parts[3], payload, files)
            self.records.append(Recorded("channel_edit", None, payload, files, message["id"]))
            return _json(message)
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "messages" and method == "GET":
            limit = int(request.query.get("limit", "50"))
            found = [m for m in self.messages.values() if m["channel_id"] == parts[1]]
            found.sort(key=lambda m: int(m["id"]), reverse=True)
            return _json(found[:limit])
        if parts[0] == "channels" and len(parts) == 5 and parts[2] == "messages" and parts[4] == "threads":
            thread = self.thread(parts[1], payload.get("name", ""), parts[3])
            self.records.append(
                Recorded("thread", None, {**payload, "thread_id": thread["id"]}, {}, parts[3])
            )
            return _json(thread)
        if parts[0] == "channels" and len(parts) == 2 and method == "GET":
            if parts[1] in self.threads:
                return _json(self.threads[parts[1]])
            if parts[1] == str(self.channel_id):
                return _json(self.channel_payload())
            return _json({"code": 10003, "message": "Unknown Channel"}, status=404)
        if parts[0] == "guilds" and len(parts) == 4 and parts[2] == "members" and method == "GET":
            user = self.members.get(int(parts[3]))
            if user is None:
                return _json({"code": 10007, "message": "Unknown Member"}, status=404)
            return _json(self.member_payload(user))
        return self._violation(f"unexpected request {method} {request.path}")

    def _callback(self, token: str, payload: dict[str, Any], files: dict[str, bytes]) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None:
            return _json({"code": 10062, "message": "Unknown interaction"}, status=404)
        if interaction.responses and any(r.kind == "callback" for r in interaction.responses):
            return _json({"code": 40060, "message": "Interaction has already been acknowledged."}, status=400)
        late = time.monotonic() - interaction.sent_at
        if late > FIRST_RESPONSE_SECONDS:
            self.violations.append(f"first response after {late:.1f} s (limit {FIRST_RESPONSE_SECONDS} s)")
            return _json({"code": 10062, "message": "Unknown interaction"}, status=404)
        kind = payload.get("type")
        data = payload.get("data") or {}
        problem = check_message(data, files)
        if problem:
            return self._violation(problem)
        record = Recorded("callback", token, payload, files)
        interaction.responses.append(record)
        self.records.append(record)
        interaction.answered.set()
        message: dict[str, Any] | None = None
        if kind in (4, 5):  # a new message, or a "thinking" one to be edited later
            flags = data.get("flags") or 0
            if kind == 5:
                flags |= LOADING
            message = self.store_message(data, files, flags=flags, interaction=interaction)
            interaction.original_id = message["id"]
        elif kind == 7 and interaction.payload.get("message"):  # update the clicked message
            message = self.edit_message(interaction.payload["message"]["id"], data, files)
        if kind in (6, 7) and interaction.payload.get("message"):
            # For a button press, "@original" is the message the button is on.
            interaction.original_id = interaction.payload["message"]["id"]
        record.message_id = message["id"] if message else None
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction.id,
                "type": interaction.payload["type"],
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            answer["resource"]["message"] = message
        return _json(answer)

    def _webhook(
        self, method: str, token: str, rest: list[str], payload: dict[str, Any], files: dict[str, bytes]
    ) -> web.Response:
        interaction = self.interactions.get(token)
        if interaction is None:
            return _json({"code": 10015, "message": "Unknown Webhook"}, status=404)
        if not rest and method == "POST":  # followup
            problem = check_message(payload, files)
            if problem:
                return self._violation(problem)
            original = self.messages.get(interaction.original_id or "")
            if original is not None and original["flags"] & LOADING and not interaction.followup_ids:
                # The first followup after a deferral replaces the "thinking" message.
                message = self.edit_message(original["id"], payload, files)
            else:
                message = self.store_message(
                    payload, files, flags=payload.get("flags") or 0, interaction=interaction
                )
            interaction.followup_ids.append(message["id"])
            record = Recorded("followup", token, payload, files, message["id"])
            interaction.responses.append(record)
            self.records.append(record)
            return _json(message)
        if len(rest) == 2 and rest[0] == "messages":
            message_id = interaction.original_id if rest[1] == "@original" else rest[1]
            if message_id is None or message_id not in self.messages:
                return _json({"code": 10008, "message": "Unknown Message"}, status=404)
            if method == "GET":
                return _json(self.messages[message_id])
            if method == "PATCH":
                problem = check_message(payload, files)
                if problem:
                    return self._violation(problem)
                message = self.edit_message(message_id, payload, files)
                record = Recorded("edit", token, payload, files, message_id)
                interaction.responses.append(record)
                self.records.append(record)
                return _json(message)
            if method == "DELETE":
                self.messages.pop(message_id, None)
                record = Recorded("delete", token, {}, {}, message_id)
                interaction.responses.append(record)
                self.records.append(record)
                return web.Response(status=204)
        return self._violation(f"unexpected webhook request {method} {rest}")
