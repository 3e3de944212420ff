"""Reading a playground's overlay mounts (plain functions, no Docker): the script
that lists them from inside the playground's namespaces, and the parsing of what
it prints.

What the playground prints is the student's to shape (they are root in its mount
namespace and may mount over ``/usr/bin``), so the script's output is parsed as
untrusted: every section is base64, every number checked, and whatever does not
parse is left out rather than believed. It runs through the runner like any
command of theirs, under the same limits.

- Mounts come from ``/proc/self/mountinfo`` (fstype ``overlay``, below the work
  area; the container's own root overlay is not the student's). The kernel shows
  ``lowerdir``, ``upperdir`` and ``workdir`` as they were given; a relative one is
  read from the work area, where every command starts.
- Each folder is listed with ``find … | stat``: type from the mode, a character
  device 0,0 is a whiteout.
- Opaque directories carry the xattr ``user.overlay.opaque`` (a mount with
  ``userxattr``, as in a user namespace) or ``trusted.overlay.opaque``: GNU tar
  ``--xattrs`` reads them, and its PAX headers are parsed here (the image has no
  ``getfattr``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import posixpath
import re
import shlex
import tarfile
from dataclasses import dataclass

from bot.sandbox.models import FolderEntry, FolderListing, PathFacts

#: Entries listed per folder; the rest is counted as "more".
MAX_ENTRIES = 300
#: Overlay mounts shown at once.
MAX_MOUNTS = 5
_OPAQUE = ("SCHILY.xattr.user.overlay.opaque", "SCHILY.xattr.trusted.overlay.opaque")
_MODE_KINDS = {
    0o040000: "dir",
    0o100000: "file",
    0o120000: "symlink",
    0o020000: "chardev",
    0o060000: "device",
}
_ESCAPE = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True, slots=True)
class MountOptions:
    mountpoint: str
    lowers: tuple[str, ...]
    upper: str | None
    work: str | None
    other: tuple[str, ...]


def _unescape(text: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), text)


def overlay_mounts(mountinfo: str, work: str) -> list[MountOptions]:
    """The overlay mounts at or below ``work``, in mount order."""
    found = []
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        if " - " not in line or len(fields) < 10:
            continue
        dash = fields.index("-")
        if len(fields) <= dash + 3 or fields[dash + 1] != "overlay":
            continue
        mountpoint = _unescape(fields[4])
        if not (mountpoint == work or mountpoint.startswith(work.rstrip("/") + "/")):
            continue
        lowers: tuple[str, ...] = ()
        upper = workdir = None
        other = []
        for option in fields[dash + 3].split(","):
            key, _, value = option.partition("=")
            value = _unescape(value)
            if key == "lowerdir":
                lowers = tuple(resolve(work, part) for part in value.split(":") if part)
            elif key == "upperdir":
                upper = resolve(work, value)
            elif key == "workdir":
                workdir = resolve(work, value)
            elif key not in ("rw", "ro"):
                other.append(option)
        found.append(MountOptions(mountpoint, lowers, upper, workdir, tuple(other)))
    return found[:MAX_MOUNTS]


def resolve(work: str, path: str) -> str:
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(work, path))


def listing_script(folders: list[str], upper: list[str]) -> str:
    """Prints one base64 section per folder (``stat`` lines), then one tar per upper
    folder (its directories' xattrs)."""
    parts = []
    for index, folder in enumerate(folders):
        quoted = shlex.quote(folder)
        parts.append(
            f"echo '=== {index}'; ( cd {quoted} && find . -mindepth 1 -print0 | head -z -n {MAX_ENTRIES + 1}"
            " | xargs -0 -r stat --printf '%f %t %T %s %n\\0' ) | base64 -w0; echo"
        )
    for index, folder in enumerate(upper):
        quoted = shlex.quote(folder)
        parts.append(
            f"echo '=== x{index}'; ( cd {quoted} && find . -type d -print0 | head -z -n {MAX_ENTRIES + 1}"
            " | tar --null --no-recursion -T - --xattrs --xattrs-include='user.overlay.*'"
            " --xattrs-include='trusted.overlay.*' -cf - 2>/dev/null ) | base64 -w0; echo"
        )
    return "\n".join(parts)


def facts_script(path: str, limit: int) -> str:
    """One path's ``stat`` line, its own xattrs (a folder's, in a tar) and the start of
    its content (a regular file's), each a base64 section."""
    quoted = shlex.quote(path)
    return (
        f"echo '=== stat'; stat --printf '%f %t %T %s ./x\\0' -- {quoted} 2>/dev/null | base64 -w0; echo\n"
        f"echo '=== tar'; [ -d {quoted} ] && ( cd {quoted} && tar --no-recursion --xattrs"
        " --xattrs-include='user.overlay.*' --xattrs-include='trusted.overlay.*' -cf - . 2>/dev/null )"
        " | base64 -w0; echo\n"
        f"echo '=== head'; [ -f {quoted} ] && head -c {limit} -- {quoted} | base64 -w0; echo"
    )


def parse_facts(found: dict[str, bytes]) -> PathFacts | None:
    """The facts of one path from ``facts_script``'s sections (None: there is no such path)."""
    entries = parse_listing("", found.get("stat")).entries
    if not entries:
        return None
    kind = entries[0].kind
    opaque = kind == "dir" and "" in opaque_dirs(found.get("tar"))
    return PathFacts(kind=kind, opaque=opaque, head=found.get("head", b"") if kind == "file" else b"")


def sections(output: str) -> dict[str, bytes]:
    """The decoded sections of the script's output, by name ("0", "1", "x0", …)."""
    found: dict[str, bytes] = {}
    name = None
    for line in output.replace("\r", "").splitlines():
        if line.startswith("=== "):
            name = line[4:].strip()
            continue
        if name is not None:
            with contextlib.suppress(binascii.Error, ValueError):
                found[name] = base64.b64decode(line.strip(), validate=True)
            name = None
    return found


def parse_listing(folder: str, raw: bytes | None, opaque: frozenset[str] = frozenset()) -> FolderListing:
    """One folder's entries from its ``stat`` section (None: it could not be listed)."""
    if raw is None:
        return FolderListing(folder, (), readable=False)
    entries = []
    for record in raw.split(b"\0"):
        fields = record.decode("utf-8", "replace").split(" ", 4)
        if len(fields) != 5 or not fields[4].startswith("./"):
            continue
        try:
            mode, major, minor, size = (
                int(fields[0], 16),
                int(fields[1], 16),
                int(fields[2], 16),
                int(fields[3]),
            )
        except ValueError:
            continue
        path = fields[4][2:]
        kind = _MODE_KINDS.get(mode & 0o170000, "other")
        if kind == "chardev":
            kind = "whiteout" if (major, minor) == (0, 0) else "device"
        entries.append(FolderEntry(path=path, kind=kind, size=size, opaque=kind == "dir" and path in opaque))
    entries.sort(key=lambda e: e.path)
    truncated = len(entries) > MAX_ENTRIES
    return FolderListing(folder, tuple(entries[:MAX_ENTRIES]), truncated=truncated)


def opaque_dirs(raw: bytes | None) -> frozenset[str]:
    """The directories marked opaque, from a tar with their xattrs ("" is the folder itself)."""
    if not raw:
        return frozenset()
    found = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                if member.isdir() and any(member.pax_headers.get(k) == "y" for k in _OPAQUE):
                    name = posixpath.normpath(member.name)
                    found.add("" if name == "." else name)
    except (tarfile.TarError, OSError, EOFError):
        return frozenset(found)
    return frozenset(found)
