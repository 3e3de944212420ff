"""The offline console: type slash commands, read the bot's answers as text.

The real bot runs, through discord.py, against ``FakeDiscord`` on 127.0.0.1:
every command goes through the same code path and services as on Discord.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

from bot.app import Services, services
from bot.events import INTERACTION_DONE
from bot.settings import Settings
from bot.ui.text import ZERO_WIDTH_SPACE
from fakediscord import CommandLineError, FakeDiscord, FakeInteraction, FakeUser, OfflineSession, offline_bot

log = logging.getLogger(__name__)

#: The console plays one student with this Discord user id.
CONSOLE_USER_ID = 100000000000000001
LOCALES = {"nl": "nl", "en": "en-US"}
#: The local Discord sends its one guild right after READY: no need to wait for more.
OFFLINE_GUILD_WAIT = 0.05
HELP = """Type a slash command as in Discord, options as name:value, for example
  /diff command:"apt-get update" image:debian:bookworm
  /history ubuntu full:true
Other input:  click N (press button N)   lang nl|en   help   quit"""


def _plain(text: str) -> str:
    return text.replace("```", "").replace(ZERO_WIDTH_SPACE, "").replace("**", "")


class ConsolePrinter:
    def __init__(self, fake: FakeDiscord, out: TextIO) -> None:
        self.fake = fake
        self.out = out
        self.buttons: list[tuple[str, str, str]] = []  # (message id, custom id, label)
        self.files_dir = Path(tempfile.mkdtemp(prefix="layerlab-console-"))

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def interaction(self, interaction: FakeInteraction, since: int) -> None:
        ids: list[str] = []
        if interaction.original_id:
            ids.append(interaction.original_id)
        ids += [i for i in interaction.followup_ids if i not in ids]
        ids += [
            r.message_id for r in self.fake.records[since:] if r.kind == "channel_message" and r.message_id
        ]
        self.buttons = []
        for message_id in ids:
            message = self.fake.messages.get(message_id)
            if message is not None:
                self.message(message)

    def message(self, message: dict[str, Any]) -> None:
        visibility = "only you" if message.get("flags", 0) & 64 else "everyone in the channel"
        self.print(f"── message ({visibility}) " + "─" * 30)
        if message.get("content"):
            self.print(_plain(message["content"]).strip("\n"))
        for embed in message.get("embeds", []):
            if embed.get("title"):
                self.print(f"\n【{embed['title']}】")
            if embed.get("description"):
                self.print(_plain(embed["description"]))
            for field in embed.get("fields", []):
                self.print(f"  {field['name']}: {_plain(field['value'])}")
        for name, data in self.fake.files.get(message["id"], {}).items():
            path = self.files_dir / f"{message['id']}-{name}"
            path.write_bytes(data)
            self.print(f"📎 {name} ({len(data)} bytes): {path}")
        for row in message.get("components", []):
            for component in row.get("components", []):
                if component.get("custom_id"):
                    self.buttons.append((message["id"], component["custom_id"], component.get("label", "")))
                    self.print(f"[{len(self.buttons)}] {component.get('label', '')}")


@asynccontextmanager
async def offline(settings: Settings, fake: FakeDiscord) -> AsyncIterator[tuple[Services, OfflineSession]]:
    """The bot's services, and the bot itself running against ``fake`` (the console,
    the tests and the benchmarks all start it this way)."""
    async with (
        services(settings) as built,
        offline_bot(
            built.bot(sync_commands=False, guild_ready_timeout=OFFLINE_GUILD_WAIT),
            fake,
            done_event=INTERACTION_DONE,
        ) as session,
    ):
        yield built, session


async def _read_line(stream: TextIO, prompt: str, out: TextIO) -> str | None:
    if stream.isatty():
        print(prompt, end="", file=out, flush=True)
    line = await asyncio.to_thread(stream.readline)
    return line if line else None


async def run_console(settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    fake = FakeDiscord()
    await fake.start()
    try:
        async with offline(settings, fake) as (_, session):
            user = FakeUser(id=CONSOLE_USER_ID, name=getpass.getuser())
            locale = LOCALES[settings.language]
            printer = ConsolePrinter(fake, out)
            printer.print(f"layerlab offline console: you are {user.name}, language {locale}.")
            printer.print(HELP)
            await _loop(session, printer, user, locale, stdin, out)
    finally:
        await fake.stop()
    return 0


async def _loop(
    session: OfflineSession, printer: ConsolePrinter, user: FakeUser, locale: str, stdin: TextIO, out: TextIO
) -> None:
    while True:
        line = await _read_line(stdin, "layerlab> ", out)
        if line is None:
            return
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word = line.split()[0].lower()
        if word in ("quit", "exit", "/quit", "/exit"):
            return
        if word in ("help", "/help", "?"):
            printer.print(HELP)
            printer.print("Commands: " + ", ".join(f"/{c.name}" for c in session.bot.tree.get_commands()))
            continue
        if word == "lang":
            choice = line.split()[-1]
            if choice in LOCALES:
                locale = LOCALES[choice]
                printer.print(f"language: {locale}")
            else:
                printer.print("lang nl or lang en")
            continue
        since = len(session.fake.records)
        try:
            if word == "click":
                number = int(line.split()[1]) - 1
                if not 0 <= number < len(printer.buttons):
                    raise CommandLineError("no such button")
                message_id, custom_id, _ = printer.buttons[number]
                interaction = await session.click(message_id, custom_id, user=user, locale=locale)
            else:
                interaction = await session.line(line, user=user, locale=locale)
        except (CommandLineError, ValueError, IndexError) as exc:
            printer.print(f"? {exc}")
            continue
        except TimeoutError:
            printer.print("? the bot did not answer in time")
            continue
        printer.interaction(interaction, since)
