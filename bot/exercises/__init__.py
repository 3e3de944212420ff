"""Exercises that check themselves: the check language, and the seed's exercises.

A teacher writes checks one per line; everything after ``--`` on a line is the
hint a student sees when that check fails. Blank lines and ``#`` comments are
ignored. The checks (``<name>`` is one of the student's own images):

    diff A|C|D <path>                 the lab container's `docker diff` has this line
                                      (``*`` in the path matches any characters)
    diff lacks <path>                 no line of that diff is about this path
    file <path> contains <text>       a file in the lab container contains this text
    lab <image>                       the lab container was made from this image
    image <name>                      the student has an image with this name
    history <name> contains <text>    a layer of that image was made by a command with this text
    run <name> <command …>            the command exits 0 in a fresh container of that image
    layers <name> more-than-base      that image has more layers than the base image it came from

What the student found out, given with ``/exercise check answer:…``:

    answer host <path>                the answer is the folder on the Docker host where
                                      <path> of the lab container's writable layer lies
                                      (as /lab host shows it, on either image store)
    answer is <text>                  the answer is this text (``*`` matches anything; case
                                      and surrounding quotes do not matter)

A check that starts with ``?`` is a discovery: the student sees its hint but not
the check itself, which would give the answer away.

In the student's OverlayFS playground (``/overlay``; paths from its work area
``/overlay``, or absolute):

    overlay mounted <dir>             an overlay is mounted on this folder
    overlay unmounted <dir>           no overlay is mounted on it (any more)
    whiteout <path>                   this is a whiteout (a character device 0,0), as in an upper folder
    opaque <dir>                      this folder is marked opaque (``overlay.opaque``)
    playground file <path> contains <text>    a file in the playground contains this text
    playground file <path> lacks <text>       it exists and does not contain it

Example:

    image myubuntu -- Make it with /commit name:myubuntu …
    run myubuntu command -v ping -- Is iputils-ping installed in myubuntu?
"""

from __future__ import annotations

import functools
import shlex
import tomllib
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from importlib import resources

from bot.errors import UserError
from bot.sandbox import refs

#: The longest check program a teacher may save.
MAX_CHECKS = 20
MAX_LINE = 300
KINDS = (
    "diff",
    "file",
    "lab",
    "image",
    "history",
    "run",
    "layers",
    "overlay",
    "whiteout",
    "opaque",
    "playground",
    "answer",
)
#: The checks that look at the playground rather than the lab container or images.
PLAYGROUND_KINDS = frozenset({"overlay", "whiteout", "opaque", "playground"})


@dataclass(frozen=True, slots=True)
class Check:
    kind: str
    args: tuple[str, ...]
    hint: str
    line: int
    source: str  # the line as written, for messages
    hidden: bool = False  # "?": a discovery, shown by its hint only

    def matches_path(self, path: str) -> bool:
        return fnmatchcase(path, self.args[1])


def _bad(line: int, key: str, **params: object) -> UserError:
    return UserError(f"checks.{key}", line=line, **params)


def parse_checks(text: str) -> tuple[Check, ...]:
    """Parse and validate a check program; ``UserError`` names the line and the problem."""
    checks: list[Check] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        body, _, hint = raw.partition(" -- ")
        body = body.strip()
        if not body or body.startswith("#"):
            continue
        hidden = body.startswith("?")
        body = body.removeprefix("?").strip()
        if len(raw) > MAX_LINE:
            raise _bad(number, "too_long", limit=MAX_LINE)
        try:
            words = shlex.split(body)
        except ValueError as exc:
            raise _bad(number, "quotes", problem=str(exc)) from exc
        kind, args = words[0].lower(), tuple(words[1:])
        if kind not in KINDS:
            raise _bad(number, "unknown", word=words[0], kinds=", ".join(KINDS))
        _validate(number, kind, args)
        checks.append(Check(kind=kind, args=args, hint=hint.strip(), line=number, source=body, hidden=hidden))
    if not checks:
        raise UserError("checks.empty")
    if len(checks) > MAX_CHECKS:
        raise UserError("checks.too_many", limit=MAX_CHECKS)
    return tuple(checks)


def _own_name(number: int, name: str) -> None:
    try:
        refs.parse_own_name(name)
    except UserError as exc:
        raise _bad(number, "bad_image", name=name) from exc


def _validate(number: int, kind: str, args: tuple[str, ...]) -> None:
    usage = {
        "diff": "diff A|C|D|lacks <path>",
        "file": "file <path> contains <text>",
        "lab": "lab <image>",
        "image": "image <name>",
        "history": "history <name> contains <text>",
        "run": "run <name> <command>",
        "layers": "layers <name> more-than-base",
        "overlay": "overlay mounted|unmounted <dir>",
        "whiteout": "whiteout <path>",
        "opaque": "opaque <dir>",
        "playground": "playground file <path> contains|lacks <text>",
        "answer": "answer host <path> | answer is <text>",
    }[kind]
    ok = {
        "diff": len(args) == 2 and args[0] in ("A", "C", "D", "lacks") and args[1].startswith("/"),
        "file": len(args) >= 3 and args[1] == "contains" and args[0].startswith("/"),
        "lab": len(args) == 1,
        "image": len(args) == 1,
        "history": len(args) >= 3 and args[1] == "contains",
        "run": len(args) >= 2,
        "layers": len(args) == 2 and args[1] == "more-than-base",
        "overlay": len(args) == 2 and args[0] in ("mounted", "unmounted"),
        "whiteout": len(args) == 1,
        "opaque": len(args) == 1,
        "playground": len(args) >= 4 and args[0] == "file" and args[2] in ("contains", "lacks"),
        "answer": len(args) >= 2
        and ((args[0] == "host" and len(args) == 2 and args[1].startswith("/")) or args[0] == "is"),
    }[kind]
    if not ok:
        raise _bad(number, "usage", usage=usage)
    if kind in ("image", "history", "run", "layers"):
        _own_name(number, args[0])


# -- exercises ---------------------------------------------------------------------

#: The seed's exercises, in the order of the slides.
BUILTIN = ("ubuntu_ping", "writable_layer", "sl", "overlayfs")
LANGUAGES = ("nl", "en")


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    title: str
    instructions: str
    hints: tuple[str, ...]
    checks_text: str
    builtin: bool
    deadline: datetime | None = None
    closed: bool = False

    @property
    def checks(self) -> tuple[Check, ...]:
        return parse_checks(self.checks_text)


@functools.cache
def builtin(lang: str) -> dict[str, Exercise]:
    folder = resources.files("bot.exercises").joinpath("data")
    found = {}
    for exercise_id in BUILTIN:
        data = tomllib.loads(folder.joinpath(f"{exercise_id}.{lang}.toml").read_text(encoding="utf-8"))
        found[exercise_id] = Exercise(
            id=exercise_id,
            title=data["title"],
            instructions=data["instructions"].strip(),
            hints=tuple(data.get("hints", ())),
            checks_text=data["checks"],
            builtin=True,
        )
    return found
