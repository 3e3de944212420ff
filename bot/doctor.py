"""`layerlab doctor`: is everything in place to run the bot? Each part ok, or the problem and its fix."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any, TextIO

from bot.app import make_sandboxes
from bot.errors import EngineUnavailable, UserError
from bot.sandbox.limits import MB
from bot.sandbox.models import Owner
from bot.sandbox.playground import PlaygroundUnavailable
from bot.sandbox.sandbox import Sandbox
from bot.settings import Settings
from bot.store import Database

#: A Discord bot token: three dot-separated base64url parts.
TOKEN_SHAPE = re.compile(r"^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$")
OK, WARN, PROBLEM = "ok", "warn", "problem"


@dataclass(frozen=True, slots=True)
class Finding:
    part: str
    level: str
    text: str
    fix: str = ""


async def examine(settings: Settings) -> list[Finding]:
    found = [*_settings(settings), await _database(settings)]
    seen: dict[str, str] = {}  # engine identity -> the first URL that reached it
    for sandbox in make_sandboxes(settings):
        try:
            found += await _engine(sandbox, several=len(settings.engine_urls) > 1, seen=seen)
        finally:
            await sandbox.close()
    return found


def _settings(settings: Settings) -> list[Finding]:
    found = []
    token = settings.token
    if not token:
        found.append(
            Finding(
                "token",
                PROBLEM,
                "DISCORD_TOKEN is not set",
                "put the bot's token in DISCORD_TOKEN (environment or .env)",
            )
        )
    elif not TOKEN_SHAPE.match(token):
        found.append(
            Finding(
                "token",
                PROBLEM,
                "DISCORD_TOKEN does not look like a bot token",
                "copy the token again from the Bot page of the Discord developer portal",
            )
        )
    else:
        found.append(Finding("token", OK, "DISCORD_TOKEN is set and looks like a bot token"))
    if settings.guild_ids:
        found.append(
            Finding("guilds", OK, f"commands are synced to {len(settings.guild_ids)} course server(s)")
        )
    else:
        found.append(
            Finding(
                "guilds",
                WARN,
                "LAYERLAB_GUILD_IDS is empty: no commands are synced at start-up",
                "set the course server ids, or run `layerlab sync` for global commands",
            )
        )
    if settings.qna_channel:
        found.append(Finding("qna", OK, f"questions are posted in channel {settings.qna_channel}"))
    else:
        found.append(
            Finding(
                "qna",
                WARN,
                "LAYERLAB_QNA_CHANNEL is not set: /ask posts no threads",
                "set it to the id of the course's Q&A channel",
            )
        )
    return found


async def _database(settings: Settings) -> Finding:
    try:
        db = await Database.open(settings.database)
    except Exception as exc:  # any reason is the same to an operator: it cannot be used
        return Finding(
            "database",
            PROBLEM,
            f"{settings.database} cannot be opened: {exc}",
            "check the path and its permissions (LAYERLAB_DATABASE)",
        )
    try:
        version = await db.schema_version()
    finally:
        await db.close()
    return Finding("database", OK, f"{settings.database} is writable, schema version {version}")


async def _disk(sandbox: Sandbox, where: str) -> Finding:
    """Free space and inodes where the engine keeps its data, against LAYERLAB_MIN_FREE_MB
    and LAYERLAB_MIN_FREE_INODES."""
    floor = sandbox.disk.floor_bytes
    try:
        free = await sandbox.disk.free()
    except UserError:
        free = None
    if free is None:
        return Finding(f"disk{where}", WARN, "free space not measured (no base image to measure with)")
    text = f"{free // MB} MiB free on the engine's data root (floor {floor // MB} MiB)"
    inodes, inode_floor = sandbox.disk.free_inodes, sandbox.disk.floor_inodes
    if inodes is not None:
        text += f", {inodes} inodes free (floor {inode_floor})"
    if (floor and free < floor) or (inode_floor and inodes is not None and inodes < inode_floor):
        return Finding(
            f"disk{where}", PROBLEM, text, "make room: /admin reap, docker system prune on the host"
        )
    return Finding(f"disk{where}", OK, text)


async def _engine(
    sandbox: Sandbox, *, several: bool = False, seen: dict[str, str] | None = None
) -> list[Finding]:
    """The findings about one engine; with several, each part names its engine.
    ``seen`` collects engine identities (ID, host name, data root): two URLs that
    seem to reach one engine get a warning (placement would count its load twice)."""
    where = f" [{sandbox.name}]" if several else ""
    try:
        described = await sandbox.host.describe()
    except EngineUnavailable:
        return [
            Finding(
                f"engine{where}",
                PROBLEM,
                f"no Docker engine answers at {sandbox.url}",
                "start the engine, or fix DOCKER_HOST / LAYERLAB_DOCKER_HOSTS",
            )
        ]
    found = [Finding(f"engine{where}", OK, f"Docker {described['version']}, API {described['api_version']}")]
    if seen is not None:
        first = seen.setdefault(described["identity"], sandbox.url)
        if first != sandbox.url:
            found.append(
                Finding(
                    f"engine{where}",
                    WARN,
                    f"{sandbox.url} seems to reach the same engine as {first} (same ID, host, data root)",
                    "list each engine once in LAYERLAB_DOCKER_HOSTS",
                )
            )
    driver = f"{described['driver']} on {described['backing_filesystem'] or '?'}"
    if described["image_store"] == "containerd":
        # Docker 29's default: everything works; only the folders differ from the slides'
        # (the README says how to keep the classic store, for a host that should match them).
        found.append(Finding(f"storage{where}", OK, f"{driver}: the containerd image store (snapshots)"))
    elif described["driver"] == "overlay2":
        found.append(Finding(f"storage{where}", OK, f"{driver}: the classic store (as in the slides)"))
    else:
        found.append(
            Finding(
                f"storage{where}", WARN, f"{driver}: not overlay2, /lab host cannot show the layer folder"
            )
        )
    found.append(await _disk(sandbox, where))
    if described["storage_quota"]:
        found.append(Finding(f"quota{where}", OK, "the engine caps each container's writable layer"))
    else:
        found.append(
            Finding(
                f"quota{where}",
                WARN,
                "no writable-layer quota (needs overlay2 on xfs with pquota)",
                "the bot measures each container's layer four times a second while a command runs"
                " and ends it at the cap instead",
            )
        )
    found.append(_network(described, where))
    found.append(await _playground(sandbox, where))  # needs the network too
    for image, present in described["images"].items():
        if present:
            found.append(Finding(f"image{where}", OK, f"{image} is on the engine"))
        else:
            found.append(
                Finding(
                    f"image{where}",
                    PROBLEM,
                    f"{image} is on offer but not on the engine",
                    "`layerlab images prepare` (or docker pull on the lab host); students never make it pull",
                )
            )
    return found


def _network(described: dict[str, Any], where: str) -> Finding:
    """The network students' containers get (LAYERLAB_SANDBOX_NETWORK) exists on the engine."""
    name = described["network"]
    if name == "none":
        return Finding(f"network{where}", OK, "students' containers have no network (a loopback only)")
    if described["network_present"]:
        return Finding(f"network{where}", OK, f"students' containers use the network {name!r}")
    return Finding(
        f"network{where}",
        PROBLEM,
        f"the engine has no network {name!r} (LAYERLAB_SANDBOX_NETWORK): no student command can start",
        f"create it on the engine (docker network create {name}), or set LAYERLAB_SANDBOX_NETWORK=none",
    )


#: The owner of the playground doctor makes and removes (no course server has id 0).
DOCTOR = Owner(guild_id=0, user_id=0)
#: What doctor runs in it: a tiny overlay mounted and unmounted.
PLAYGROUND_CHECK = (
    "mkdir -p l u w m && mount -t overlay overlay -o userxattr,lowerdir=l,upperdir=u,workdir=w m && umount m"
)


async def _playground(sandbox: Sandbox, where: str) -> Finding:
    """Whether this engine lets the OverlayFS playground (/overlay) make its user and
    mount namespaces and mount an overlay there."""
    part = f"playground{where}"
    try:
        run = await sandbox.playgrounds.run(DOCTOR, PLAYGROUND_CHECK)
    except PlaygroundUnavailable as exc:
        reason = str(exc.params.get("reason", ""))
        if "not found" in reason:  # the image's tools, not the host's rules
            return Finding(
                part,
                PROBLEM,
                f"/overlay cannot run: {reason}",
                "the playground runs in LAYERLAB_DEFAULT_IMAGE, which needs util-linux (unshare,"
                " nsenter) and bash, as Debian and Ubuntu have",
            )
        return Finding(
            part,
            PROBLEM,
            f"/overlay cannot run: {reason}",
            "the kernel or the engine refuses unprivileged user namespaces or mount in them: on Ubuntu"
            " 23.10+ `sysctl kernel.apparmor_restrict_unprivileged_userns=0`; with an AppArmor profile"
            " that denies mount, one that allows it (not tried here: the lab hosts here have no AppArmor)",
        )
    except UserError as exc:
        return Finding(part, WARN, f"/overlay not checked: {exc.key}", "prepare the default image")
    finally:
        with contextlib.suppress(UserError):  # gone with the engine: the janitor's then
            await sandbox.playgrounds.remove(DOCTOR)
    if run.result.exit_code != 0:
        output = run.result.output.decode("utf-8", "replace").strip()[-200:]
        return Finding(part, PROBLEM, f"an overlay mount failed in the playground: {output}")
    return Finding(part, OK, "/overlay works: user and mount namespaces, overlay mounts in them")


def report(found: list[Finding], out: TextIO) -> int:
    """Print the findings; the exit code is 1 when any part is a problem."""
    marks = {OK: "[ ok ]", WARN: "[warn]", PROBLEM: "[FAIL]"}
    for finding in found:
        print(f"{marks[finding.level]} {finding.part}: {finding.text}", file=out)
        if finding.fix and finding.level != OK:
            print(f"       fix: {finding.fix}", file=out)
    problems = sum(f.level == PROBLEM for f in found)
    print(f"{problems} problem(s)" if problems else "everything needed is in place", file=out)
    return 1 if problems else 0


async def health(settings: Settings) -> int:
    """0 when the database opens and an engine answers (a container's HEALTHCHECK).

    With several engines, one that is down does not make the bot unhealthy: the
    bot serves everyone else, and restarting it would not bring that engine back
    (`/admin status` and the log say which one is down). It prints them all."""
    database = await _database(settings)
    engines = []
    for sandbox in make_sandboxes(settings):
        try:
            engines.append((await _engine(sandbox))[0])
        finally:
            await sandbox.close()
    for finding in [database, *engines]:
        if finding.level == PROBLEM:
            print(f"{finding.part}: {finding.text}")
    no_engine = all(f.level == PROBLEM for f in engines)
    return 1 if database.level == PROBLEM or no_engine else 0
