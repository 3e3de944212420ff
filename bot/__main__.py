"""``python -m bot`` (also installed as ``layerlab``).

layerlab                 run the bot; without a token on a terminal: the offline console
layerlab console         the offline console, always
layerlab sync [--guild ID]   register the slash commands, without opening the gateway
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

import discord
from pydantic import ValidationError

from bot import __version__
from bot.app import services
from bot.settings import Settings
from bot.store import Database

log = logging.getLogger("bot")

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="layerlab", description="A Discord bot that teaches Docker image layers."
    )
    parser.add_argument("--version", action="version", version=f"layerlab {__version__}")
    sub = parser.add_subparsers(dest="action")
    sub.add_parser("run", help="connect to Discord (the default when DISCORD_TOKEN is set)")
    sub.add_parser("console", help="type slash commands offline, against a local stand-in for Discord")
    sync = sub.add_parser("sync", help="register the slash commands with Discord and exit")
    sync.add_argument(
        "--guild", type=int, action="append", help="guild id (default: LAYERLAB_GUILD_IDS; none: global)"
    )
    sub.add_parser("doctor", help="check engine, images, database and settings; exit 1 on a problem")
    images = sub.add_parser("images", help="operator commands for the lab engine's images")
    images.add_argument("images_action", choices=["prepare"], help="prepare: pull every base image on offer")
    sub.add_parser("health", help="for a container health check: the database opens and the engine answers")
    backup = sub.add_parser("backup", help="an online, consistent copy of the database")
    backup.add_argument("path", help="the new file to write")
    return parser


async def _run(settings: Settings, token: str) -> None:
    async with services(settings) as built, built.bot() as bot:
        # SIGTERM (docker stop, systemd, Ctrl-C): a stop that ends what runs and
        # tells who waits, instead of leaving containers and unanswered students.
        loop = asyncio.get_running_loop()
        stopping: list[asyncio.Task[None]] = []

        def stop() -> None:
            if not stopping:
                stopping.append(asyncio.create_task(bot.shutdown(settings.shutdown_grace_seconds)))

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
        try:
            await bot.start(token)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        if stopping:
            await stopping[0]


async def _sync(settings: Settings, token: str, guilds: list[int] | None) -> None:
    async with services(settings) as built, built.bot(sync_commands=False, housekeeping=False) as bot:
        await bot.login(token)
        targets = guilds if guilds is not None else settings.guild_ids
        if targets:
            synced = await bot.sync_guilds(targets)
        else:
            synced = await bot.tree.sync()
        print(f"Synced {len(synced)} command(s) to {targets or 'all guilds (global)'}.")


async def _backup(settings: Settings, path: str) -> int:
    db = await Database.open(settings.database)
    try:
        version = await db.backup(path)
    except FileExistsError as exc:
        print(f"layerlab: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        await db.close()
    print(f"Backed up {settings.database} to {path} (schema version {version}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"layerlab: the settings are not valid:\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    token = settings.token
    action = args.action or ("run" if token else "console")
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    if (
        action in ("console", "doctor", "backup", "health", "images")
        and "log_level" not in settings.model_fields_set
    ):
        level = logging.WARNING  # their own output is the point there
    discord.utils.setup_logging(level=level, root=True)
    if action == "run" and not token:
        print(
            "layerlab: DISCORD_TOKEN is not set. "
            "Set it in the environment or .env, or use `layerlab console`.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if action == "console":
        if not sys.stdin.isatty() and args.action is None:
            print(
                "layerlab: no DISCORD_TOKEN and no terminal, so there is nothing to do.\n"
                "Set DISCORD_TOKEN to run the bot, or start `layerlab console` in a terminal.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        from bot.console import run_console

        return asyncio.run(run_console(settings))
    if action == "doctor":
        from bot.doctor import examine, report

        return report(asyncio.run(examine(settings)), sys.stdout)
    if action == "images":
        from bot.images import prepare

        return asyncio.run(prepare(settings))
    if action == "health":
        from bot.doctor import health

        return asyncio.run(health(settings))
    if action == "backup":
        return asyncio.run(_backup(settings, args.path))
    if action == "sync":
        if not token:
            print("layerlab: `sync` needs DISCORD_TOKEN.", file=sys.stderr)
            return EXIT_USAGE
        asyncio.run(_sync(settings, token, args.guild))
        return 0
    try:
        asyncio.run(_run(settings, token or ""))
    except discord.LoginFailure:
        print("layerlab: Discord refused the token (DISCORD_TOKEN).", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
