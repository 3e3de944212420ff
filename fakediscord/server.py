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
from typing import Any

import discord.gateway
import discord.http
import yarl
from aiohttp import WSMsgType, web

from fakediscord.messages import MessageStore
from fakediscord.models import FakeInteraction, FakeUser, Recorded, snowflake
from fakediscord.payloads import GuildPayloads
from fakediscord.rest import API_PREFIX, RestApi

log = logging.getLogger(__name__)

#: The fakes discord.py has been pointed at, the current one last (see ``FakeDiscord.install``).
_installed: list[FakeDiscord] = []


def point_discord_py_at(base_url: str) -> None:
    """Send this process's discord.py (REST and gateway) to a fake at ``base_url``:
    how a bot in another process is made to talk to a ``FakeDiscord``."""
    discord.http.Route.BASE = base_url + API_PREFIX
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base_url.replace("http", "ws") + "/gateway")


class FakeDiscord(RestApi, GuildPayloads, MessageStore):
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
        #: Channels where the bot may not post or edit (Discord answers 50013).
        self.refused_channels: set[str] = set()
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
        app.router.add_get("/attachments/{message}/{name}", self._download)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._site_port = int(self._runner.addresses[0][1])
        self.install()

    def install(self) -> None:
        """Point discord.py at this server.

        discord.py reads its REST base and gateway from class attributes, so this
        holds for the whole process, not for one bot: while a fake is installed,
        every bot's REST calls go to it. Fakes nest (a test may run a second bot
        against a fresh fake while a long-lived one waits); ``stop`` gives
        discord.py back what it had, so they must stop in reverse order.
        """
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        point_discord_py_at(self.base_url)
        _installed.append(self)

    async def stop(self) -> None:
        if self in _installed and _installed[-1] is not self:
            raise RuntimeError("a FakeDiscord started after this one is still running; stop that one first")
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None
            _installed.remove(self)

    async def _download(self, request: web.Request) -> web.Response:
        """An attachment's bytes, as Discord's CDN serves them."""
        data = self.attachment_file(request.match_info["message"], request.match_info["name"])
        if data is None:
            return web.Response(status=404, text="no such attachment")
        return web.Response(body=data, content_type="application/octet-stream")

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

    # -- sending interactions ------------------------------------------------------

    async def send_event(self, event: str, data: dict[str, Any]) -> None:
        if not self._sockets:
            await asyncio.wait_for(self.identified.wait(), timeout=10)
        for ws in list(self._sockets):
            await self._dispatch(ws, event, data)

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
        payload = self.interaction_base(user, locale, 2)
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

    async def message_command(
        self, name: str, message_id: str, *, user: FakeUser, locale: str = "nl"
    ) -> FakeInteraction:
        """A message menu (Apps → ``name``) used on a message: Discord sends the
        message itself along, content included, whatever the bot's intents."""
        payload = self.interaction_base(user, locale, 2)
        message = self.messages[message_id]
        payload["data"] = {
            "id": snowflake(),
            "name": name,
            "type": 3,
            "target_id": message_id,
            "resolved": {"messages": {message_id: message}},
            "guild_id": str(self.guild_id),
        }
        return await self._send_interaction(payload, user)

    async def autocomplete(
        self, name: str, options: list[dict[str, Any]], *, user: FakeUser, locale: str = "nl"
    ) -> FakeInteraction:
        payload = self.interaction_base(user, locale, 4)
        payload["data"] = {"id": snowflake(), "name": name, "type": 1, "options": options}
        return await self._send_interaction(payload, user)

    async def submit(
        self, custom_id: str, values: dict[str, str], *, user: FakeUser, locale: str = "nl"
    ) -> FakeInteraction:
        """Submit a modal the bot showed: ``values`` by text input custom_id."""
        payload = self.interaction_base(user, locale, 5)
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()
        ]
        payload["data"] = {"custom_id": custom_id, "components": rows}
        return await self._send_interaction(payload, user)

    async def click(
        self, message_id: str, custom_id: str, *, user: FakeUser, locale: str = "nl"
    ) -> FakeInteraction:
        payload = self.interaction_base(user, locale, 3)
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        payload["message"] = self.messages[message_id]
        return await self._send_interaction(payload, user)
