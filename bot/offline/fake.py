"""A small local Discord: REST + JSON gateway on 127.0.0.1, strict about limits.

It records everything the bot sends and enforces the limits real Discord
enforces (message and embed sizes, the 3-second first response), so a test or
the console sees an overflow the way a real server would show it: a 400 that
discord.py raises as ``HTTPException``. Never a 5xx: discord.py retries those.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord.gateway
import discord.http
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
#: Discord fails an interaction that got no first response within this time.
FIRST_RESPONSE_SECONDS = 3.0
MESSAGE_CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELDS_LIMIT = 25
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
FILES_PER_MESSAGE = 10
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
EPHEMERAL = 1 << 6
LOADING = 1 << 7

DISCORD_EPOCH_MS = 1420070400000
_increment = itertools.count()


def snowflake() -> str:
    """A fresh id whose timestamp is now, as Discord's are."""
    millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return str((millis << 22) | (next(_increment) & 0x3FFFFF))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py wants exactly "application/json" (no charset) to parse a body.
    return web.Response(status=status, body=json.dumps(data), headers={"Content-Type": "application/json"})


@dataclass(frozen=True)
class FakeUser:
    id: int
    name: str
    roles: tuple[int, ...] = ()
    permissions: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
        }


@dataclass
class Recorded:
    """One request the bot made: what, for which interaction, with which payload."""

    kind: str  # callback | followup | edit | delete | channel_message | commands
    token: str | None
    payload: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    message_id: str | None = None


@dataclass
class FakeInteraction:
    id: str
    token: str
    user: FakeUser
    payload: dict[str, Any]
    sent_at: float
    responses: list[Recorded] = field(default_factory=list)
    original_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # set at the first response


class FakeDiscord:
    """A Discord stand-in for one bot, one guild and one text channel."""

    def __init__(
        self,
        *,
        guild_id: int = 900000000000000001,
        channel_id: int = 900000000000000002,
        application_id: int = 900000000000000003,
        teacher_role_id: int = 900000000000000004,
        teacher_role_name: str = "Teacher",
    ) -> None:
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.application_id = application_id
        self.teacher_role_id = teacher_role_id
        self.teacher_role_name = teacher_role_name
        self.bot_user = FakeUser(id=application_id, name="layerlab")
        self.messages: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, bytes]] = {}  # message id -> filename -> bytes
        self.records: list[Recorded] = []
        self.violations: list[str] = []
        self.interactions: dict[str, FakeInteraction] = {}
        self.synced_commands: dict[str, list[dict[str, Any]]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.members: dict[int, FakeUser] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._site_port = 0
        self._saved: tuple[str, yarl.URL] | None = None
        self.identified = asyncio.Event()

    # -- lifecycle -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._site_port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self._site_port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.install()

    def install(self) -> None:
        """Point discord.py (process-wide) at this server."""
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.base_url + API_PREFIX
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            self.base_url.replace("http", "ws") + "/gateway"
        )

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved

    # -- gateway -------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                op = data.get("op")
                if op == 1:
                    await ws.send_json({"op": 11})
                elif op == 2:
                    await self._ready(ws)
        finally:
            self._sockets.discard(ws)
        return ws

    async def _dispatch(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._sequence), "d": data})

    async def _ready(self, ws: web.WebSocketResponse) -> None:
        await self._dispatch(
            ws,
            "READY",
            {
                "v": 10,
                "user": {**self.bot_user.payload(), "bot": True},
                "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "session_id": "fake-session",
                "resume_gateway_url": self.base_url.replace("http", "ws") + "/gateway",
                "application": {"id": str(self.application_id), "flags": 0},
            },
        )
        await self._dispatch(ws, "GUILD_CREATE", self.guild_payload())
        self.identified.set()

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

    # -- sending interactions ------------------------------------------------------

    async def send_event(self, event: str, data: dict[str, Any]) -> None:
        if not self._sockets:
            await asyncio.wait_for(self.identified.wait(), timeout=10)
        for ws in list(self._sockets):
            await self._dispatch(ws, event, data)

    def _interaction_base(self, user: FakeUser, locale: str, kind: int) -> dict[str, Any]:
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
                "joined_at": _now(),
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

    async def _send_interaction(self, payload: dict[str, Any], user: FakeUser) -> FakeInteraction:
        self.members[user.id] = user
        interaction = FakeInteraction(
            id=payload["id"], token=payload["token"], user=user, payload=payload, sent_at=time.monotonic()
        )
        self.interactions[interaction.token] = interaction
        await self.send_event("INTERACTION_CREATE", payload)
        return interaction

    async def slash(
        self,
        name: str,
        options: list[dict[str, Any]],
        *,
        user: FakeUser,
        locale: str = "nl",
        resolved: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        payload = self._interaction_base(user, locale, 2)
        payload["data"] = {
            "id": snowflake(),
            "name": name,
            "type": 1,
            "options": options,
            "guild_id": str(self.guild_id),
        }
        if resolved:
            payload["data"]["resolved"] = resolved
        return await self._send_interaction(payload, user)

    async def autocomplete(
        self, name: str, options: list[dict[str, Any]], *, user: FakeUser, locale: str = "nl"
    ) -> FakeInteraction:
        payload = self._interaction_base(user, locale, 4)
        payload["data"] = {"id": snowflake(), "name": name, "type": 1, "options": options}
        return await self._send_interaction(payload, user)

    async def submit(
        self, custom_id: str, values: dict[str, str], *, user: FakeUser, locale: str = "nl"
    ) -> FakeInteraction:
        """Submit a modal the bot showed: ``values`` by text input custom_id."""
        payload = self._interaction_base(user, locale, 5)
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()
        ]
        payload["data"] = {"custom_id": custom_id, "components": rows}
        return await self._send_interaction(payload, user)

    def member_payload(self, user: FakeUser) -> dict[str, Any]:
        return {
            "user": user.payload(),
            "roles": [str(r) for r in user.roles],
            "flags": 0,
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "nick": None,
            "avatar": None,
        }

    def _thread(self, parent_id: str, name: str, message_id: str) -> dict[str, Any]:
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
                "archive_timestamp": _now(),
                "locked": False,
            },
        }
        self.threads[message_id] = thread
        return thread

    def post_as(self, channel_id: str, user: FakeUser, content: str) -> dict[str, Any]:
        """A message a person writes (a teacher's reply in a question's thread)."""
        self.members[user.id] = user
        return self._store_message({"content": content}, {}, channel_id=channel_id, author=user.payload())

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return sorted(
            (m for m in self.messages.values() if m["channel_id"] == channel_id), key=lambda m: int(m["id"])
        )

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

    async def click(
        self, message_id: str, custom_id: str, *, user: FakeUser, locale: str = "nl"
    ) -> FakeInteraction:
        payload = self._interaction_base(user, locale, 3)
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        payload["message"] = self.messages[message_id]
        return await self._send_interaction(payload, user)

    # -- REST ------------------------------------------------------------------

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

    def _check_message(self, payload: dict[str, Any], files: dict[str, bytes]) -> str | None:
        content = payload.get("content") or ""
        if len(content) > MESSAGE_CONTENT_LIMIT:
            return f"content is {len(content)} characters, limit {MESSAGE_CONTENT_LIMIT}"
        embeds = payload.get("embeds") or []
        if len(embeds) > EMBEDS_PER_MESSAGE:
            return f"{len(embeds)} embeds"
        for embed in embeds:
            total = 0
            for key, limit in (("title", EMBED_TITLE_LIMIT), ("description", EMBED_DESCRIPTION_LIMIT)):
                text = embed.get(key) or ""
                total += len(text)
                if len(text) > limit:
                    return f"embed {key} is {len(text)} characters, limit {limit}"
            fields = embed.get("fields") or []
            if len(fields) > EMBED_FIELDS_LIMIT:
                return f"{len(fields)} embed fields"
            for f in fields:
                if not f.get("name") or not f.get("value"):
                    return "embed field with an empty name or value"
                if len(f["name"]) > EMBED_FIELD_NAME_LIMIT or len(f["value"]) > EMBED_FIELD_VALUE_LIMIT:
                    return "embed field too long"
                total += len(f["name"]) + len(f["value"])
            footer = (embed.get("footer") or {}).get("text") or ""
            if len(footer) > EMBED_FOOTER_LIMIT:
                return "embed footer too long"
            total += len(footer)
            if total > EMBED_TOTAL_LIMIT:
                return f"embed has {total} characters, limit {EMBED_TOTAL_LIMIT}"
        if len(files) > FILES_PER_MESSAGE:
            return f"{len(files)} files"
        for name, data in files.items():
            if len(data) > ATTACHMENT_SIZE_LIMIT:
                return f"file {name} is {len(data)} bytes"
        for row in payload.get("components") or []:
            for component in row.get("components", []):
                if len(component.get("label") or "") > BUTTON_LABEL_LIMIT:
                    return "button label too long"
                if len(component.get("custom_id") or "") > CUSTOM_ID_LIMIT:
                    return "custom_id too long"
        return None

    def _store_message(
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
        attachments = [
            {
                "id": snowflake(),
                "filename": name,
                "size": len(data),
                "url": f"{self.base_url}/attachments/{message_id}/{name}",
                "proxy_url": f"{self.base_url}/attachments/{message_id}/{name}",
            }
            for name, data in files.items()
        ]
        message = {
            "id": message_id,
            "channel_id": channel_id or str(self.channel_id),
            "guild_id": str(self.guild_id),
            "author": author or {**self.bot_user.payload(), "bot": True},
            "content": payload.get("content") or "",
            "timestamp": _now(),
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

    def _edit_message(
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
            current = {
                old_by_id[str(a["id"])]: old_files.get(old_by_id[str(a["id"])], b"")
                for a in payload["attachments"]
                if str(a.get("id")) in old_by_id
            }
            current.update(files)
            self.files[message_id] = current
            message["attachments"] = [
                {"id": snowflake(), "filename": n, "size": len(d), "url": "", "proxy_url": ""}
                for n, d in current.items()
            ]
        message["flags"] = message.get("flags", 0) & ~LOADING
        message["edited_timestamp"] = _now()
        return message

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
                commands = [
                    {**c, "id": snowflake(), "application_id": str(self.application_id), "version": "1"}
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
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "messages" and method == "POST":
            problem = self._check_message(payload, files)
            if problem:
                return self._violation(problem)
            message = self._store_message(payload, files, channel_id=parts[1])
            self.records.append(Recorded("channel_message", None, payload, files, message["id"]))
            return _json(message)
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "messages" and method == "GET":
            limit = int(request.query.get("limit", "50"))
            found = [m for m in self.messages.values() if m["channel_id"] == parts[1]]
            found.sort(key=lambda m: int(m["id"]), reverse=True)
            return _json(found[:limit])
        if parts[0] == "channels" and len(parts) == 5 and parts[2] == "messages" and parts[4] == "threads":
            thread = self._thread(parts[1], payload.get("name", ""), parts[3])
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
        problem = self._check_message(data, files)
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
            message = self._store_message(data, files, flags=flags, interaction=interaction)
            interaction.original_id = message["id"]
        elif kind == 7 and interaction.payload.get("message"):  # update the clicked message
            message = self._edit_message(interaction.payload["message"]["id"], data, files)
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
            problem = self._check_message(payload, files)
            if problem:
                return self._violation(problem)
            original = self.messages.get(interaction.original_id or "")
            if original is not None and original["flags"] & LOADING and not interaction.followup_ids:
                # The first followup after a deferral replaces the "thinking" message.
                message = self._edit_message(original["id"], payload, files)
            else:
                message = self._store_message(
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
                problem = self._check_message(payload, files)
                if problem:
                    return self._violation(problem)
                message = self._edit_message(message_id, payload, files)
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
