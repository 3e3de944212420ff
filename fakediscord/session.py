"""Type slash commands at a bot that runs against ``FakeDiscord``.

Used by the offline console and the tests: builds the INTERACTION_CREATE
payload from the bot's own command tree (so option names and types are the
real ones), sends it, and waits until the bot says it has finished.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from fakediscord.models import FakeInteraction, FakeUser
from fakediscord.server import FakeDiscord

#: How long a command may take before the session gives up waiting.
DEFAULT_TIMEOUT = 180.0
#: How long the bot may take to log in and receive its guild.
READY_TIMEOUT = 30.0

_OPTION_TYPES = {
    discord.AppCommandOptionType.string: str,
    discord.AppCommandOptionType.integer: int,
    discord.AppCommandOptionType.number: float,
}


class CommandLineError(ValueError):
    """A typed command line that does not match the bot's commands."""


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "yes", "ja", "1", "on"):
        return True
    if lowered in ("false", "no", "nee", "0", "off"):
        return False
    raise CommandLineError(f"not a true/false value: {text!r}")


class OfflineSession:
    """Commands typed at one bot. ``done_event`` is the event the bot dispatches
    (with the interaction) once it has finished answering one: the session waits
    for it, so the bot under test decides when an answer is complete."""

    def __init__(self, fake: FakeDiscord, bot: commands.Bot, done_event: str) -> None:
        self.fake = fake
        self.bot = bot
        self.done_event = done_event

    # -- building payloads ---------------------------------------------------------

    def _find(self, path: list[str]) -> tuple[app_commands.Command[Any, ..., Any], list[str]]:
        tree = self.bot.tree
        if not path:
            raise CommandLineError("no command given")
        top = tree.get_command(path[0])
        if top is None:
            raise CommandLineError(f"no command /{path[0]}")
        used = [path[0]]
        node: app_commands.Command[Any, ..., Any] | app_commands.Group = top
        rest = path[1:]
        while isinstance(node, app_commands.Group):
            if not rest:
                names = ", ".join(c.name for c in node.commands)
                raise CommandLineError(f"/{' '.join(used)} needs a subcommand: {names}")
            child = node.get_command(rest[0])
            if child is None:
                raise CommandLineError(f"no subcommand /{' '.join(used)} {rest[0]}")
            used.append(rest[0])
            rest = rest[1:]
            node = child
        return node, used

    def build(self, name: str, values: dict[str, Any]) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        """The top-level name, the ``options`` and the ``resolved`` users of an INTERACTION_CREATE."""
        command, used = self._find(name.split())
        known = {p.name: p for p in command.parameters}
        options = []
        resolved: dict[str, Any] = {}
        for key, value in values.items():
            parameter = known.get(key)
            if parameter is None:
                raise CommandLineError(
                    f"/{' '.join(used)} has no option {key!r} (options: {', '.join(known)})"
                )
            if parameter.choices:  # typed as the choice's name or its value
                wanted = str(value).lower()
                match = next(
                    (c for c in parameter.choices if wanted in (str(c.value).lower(), str(c.name).lower())),
                    None,
                )
                if match is None:
                    names = ", ".join(str(c.value) for c in parameter.choices)
                    raise CommandLineError(f"{key}: choose one of {names}")
                value = match.value
            elif parameter.type == discord.AppCommandOptionType.boolean:
                value = value if isinstance(value, bool) else _bool(str(value))
            elif parameter.type == discord.AppCommandOptionType.channel:
                channel = self.fake.channel_payload()
                resolved.setdefault("channels", {})[channel["id"]] = channel
                value = channel["id"]
            elif parameter.type == discord.AppCommandOptionType.user:
                user = value if isinstance(value, FakeUser) else FakeUser(id=int(value), name=str(value))
                resolved.setdefault("users", {})[str(user.id)] = user.payload()
                member = {"roles": [str(r) for r in user.roles], "joined_at": None, "flags": 0}
                resolved.setdefault("members", {})[str(user.id)] = member
                value = str(user.id)
            elif parameter.type in _OPTION_TYPES:
                try:
                    value = _OPTION_TYPES[parameter.type](value)
                except ValueError as exc:
                    raise CommandLineError(f"{key}: {exc}") from exc
            options.append({"name": key, "type": parameter.type.value, "value": value})
        for parameter in command.parameters:
            if parameter.required and parameter.name not in values:
                raise CommandLineError(f"/{' '.join(used)} needs the option {parameter.name}")
        for sub in reversed(used[1:]):
            options = [{"name": sub, "type": 1, "options": options}]
        return used[0], options, resolved

    def parse(self, line: str) -> tuple[str, dict[str, Any]]:
        """``/diff command:"ls /" image:ubuntu`` -> ("diff", {...}); bare values fill options in order."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise CommandLineError(str(exc)) from exc
        if not words:
            raise CommandLineError("empty line")
        words[0] = words[0].lstrip("/")
        path = [words[0]]
        rest = words[1:]
        while rest and ":" not in rest[0] and self._is_group(path):
            path.append(rest.pop(0))
        command, _ = self._find(path)
        values: dict[str, Any] = {}
        positional = [p.name for p in command.parameters]
        for word in rest:
            key, sep, value = word.partition(":")
            if sep and key in positional:
                values[key] = value
            else:
                free = [p for p in positional if p not in values]
                if not free:
                    raise CommandLineError(f"too many values: {word!r}")
                values[free[0]] = word
        return " ".join(path), values

    def _is_group(self, path: list[str]) -> bool:
        node: Any = self.bot.tree.get_command(path[0])
        for name in path[1:]:
            node = node.get_command(name) if isinstance(node, app_commands.Group) else None
        return isinstance(node, app_commands.Group)

    # -- running -------------------------------------------------------------

    async def _wait_done(self, send: Any, timeout: float) -> FakeInteraction:
        sent: list[FakeInteraction] = []

        def check(interaction: discord.Interaction[Any]) -> bool:
            return bool(sent) and str(interaction.id) == sent[0].id

        waiter = asyncio.ensure_future(self.bot.wait_for(self.done_event, check=check, timeout=timeout))
        try:
            sent.append(await send())
            await waiter
        finally:
            if not waiter.done():
                waiter.cancel()
        return sent[0]

    async def command(
        self,
        name: str,
        /,
        *,
        user: FakeUser,
        locale: str = "nl",
        timeout: float = DEFAULT_TIMEOUT,
        options: dict[str, Any] | None = None,
        **values: Any,
    ) -> FakeInteraction:
        """Run ``/name`` with option values; ``options`` carries those whose names
        clash with this method's own (``user``, ``locale``, ``timeout``)."""
        values = {**values, **(options or {})}
        top, payload_options, resolved = self.build(name, {k: v for k, v in values.items() if v is not None})
        return await self._wait_done(
            lambda: self.fake.slash(top, payload_options, user=user, locale=locale, resolved=resolved),
            timeout,
        )

    async def line(
        self, text: str, /, *, user: FakeUser, locale: str = "nl", timeout: float = DEFAULT_TIMEOUT
    ) -> FakeInteraction:
        name, values = self.parse(text)
        return await self.command(name, user=user, locale=locale, timeout=timeout, **values)

    async def autocomplete(
        self,
        name: str,
        option: str,
        current: str,
        *,
        user: FakeUser,
        locale: str = "nl",
        timeout: float = 30.0,
        filled: dict[str, Any] | None = None,
    ) -> list[Any]:
        """The choices the bot offers while ``option`` of ``name`` reads ``current``
        (``filled``: the options the user has filled in already)."""
        top, options, _ = self.build(name, {**(filled or {}), option: current})
        leaf = options
        while leaf and leaf[0].get("type") == 1:
            leaf = leaf[0]["options"]
        for entry in leaf:
            if entry["name"] == option:
                entry["focused"] = True
        interaction = await self.fake.autocomplete(top, options, user=user, locale=locale)
        await asyncio.wait_for(interaction.answered.wait(), timeout)
        answer = interaction.responses[0].payload
        return [choice["value"] for choice in answer["data"]["choices"]]

    async def message_command(
        self, name: str, message_id: str, *, user: FakeUser, locale: str = "nl", timeout: float = 60.0
    ) -> FakeInteraction:
        """Use the message menu ``name`` on a message."""
        return await self._wait_done(
            lambda: self.fake.message_command(name, message_id, user=user, locale=locale), timeout
        )

    async def submit(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user: FakeUser,
        locale: str = "nl",
        timeout: float = 60.0,
    ) -> FakeInteraction:
        return await self._wait_done(
            lambda: self.fake.submit(custom_id, values, user=user, locale=locale), timeout
        )

    async def click(
        self, message_id: str, custom_id: str, *, user: FakeUser, locale: str = "nl", timeout: float = 30.0
    ) -> FakeInteraction:
        return await self._wait_done(
            lambda: self.fake.click(message_id, custom_id, user=user, locale=locale), timeout
        )


@asynccontextmanager
async def offline_bot(
    bot: commands.Bot, fake: FakeDiscord, *, done_event: str, token: str = "offline"
) -> AsyncIterator[OfflineSession]:
    """Run ``bot`` against ``fake`` until the block ends; yields a session to type into."""
    async with bot:
        runner = asyncio.create_task(bot.start(token))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {runner, ready}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if runner.done():
                runner.result()  # raises what stopped the bot
            runner.cancel()
            raise TimeoutError("the bot did not become ready")
        try:
            yield OfflineSession(fake, bot, done_event)
        finally:
            await bot.close()
            await asyncio.gather(runner, return_exceptions=True)
