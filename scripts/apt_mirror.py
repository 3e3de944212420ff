"""A local Debian mirror for the tests: the seed's exercises `apt install` packages,
and the tests may send traffic only to loopback or to containers they started.

    python3 scripts/apt_mirror.py [ROOT]     (default /var/cache/layerlab/apt-mirror)

Set-up, not a test: it fetches from deb.debian.org, once, what `apt update` and
`apt install iputils-ping sl` fetch in the test image (layerlab-test/debian:bookworm
on the main engine): the suite's InRelease as Debian signed it, the two indexes it
names (under their names and under by-hash/, as apt asks for them), and the .deb
files. Which .deb files apt needs is asked of apt itself, in a container without
network that reads this mirror as a file: source. The tests serve ROOT over HTTP from
a busybox container that answers to `deb.debian.org` on an internal network
(tests/support/apt_mirror.py), so apt in a lab container sees the real archive's
signed files at the real address and keeps its checks; nothing leaves the machine.

Idempotent: a mirror made for PACKAGES is left as it is. It is a consistent snapshot
(Debian's stable InRelease has no Valid-Until), so it does not go stale.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"
IMAGE = "layerlab-test/debian:bookworm"
#: What the course's exercises install (bot/exercises, tests/bot/test_exercises.py).
PACKAGES = ("iputils-ping", "sl")
#: The indexes apt fetches for `deb http://deb.debian.org/debian bookworm main`.
INDEXES = ("main/binary-amd64/Packages.xz", "main/i18n/Translation-en.xz")


def log(message: str) -> None:
    print(f"[apt-mirror] {message}", file=sys.stderr)


def fetch(url: str, target: Path, sha256: str | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with urllib.request.urlopen(url, timeout=60) as answer, partial.open("wb") as out:
        shutil.copyfileobj(answer, out)
    if sha256 is not None and hashlib.sha256(partial.read_bytes()).hexdigest() != sha256:
        partial.unlink()
        raise SystemExit(f"[apt-mirror] {url}: not the file the suite's InRelease names")
    partial.replace(target)


def sha256_entries(in_release: str) -> dict[str, str]:
    """path -> sha256 from the SHA256 section of a Release file."""
    entries: dict[str, str] = {}
    section = False
    for line in in_release.splitlines():
        if not line.startswith(" "):
            section = line.strip() == "SHA256:"
            continue
        if section:
            digest, _size, path = line.split()
            entries[path] = digest
    return entries


def indexes(root: Path) -> None:
    dists = root / "debian" / "dists" / SUITE
    fetch(f"{MIRROR}/dists/{SUITE}/InRelease", dists / "InRelease")
    named = sha256_entries((dists / "InRelease").read_text())
    for index in INDEXES:
        digest = named[index]
        fetch(f"{MIRROR}/dists/{SUITE}/{index}", dists / index, digest)
        by_hash = dists / Path(index).parent / "by-hash" / "SHA256" / digest
        by_hash.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dists / index, by_hash)


def wanted_debs(root: Path) -> list[tuple[str, str]]:
    """(pool path, md5) of every .deb `apt install PACKAGES` fetches in the test image,
    as apt in a container without network computes it from this mirror."""
    script = (
        f"echo 'deb file:/mirror/debian {SUITE} main' > /etc/apt/sources.list"
        " && apt-get update -qq >/dev/null"
        f" && apt-get install --print-uris -qq -y {' '.join(PACKAGES)}"
    )
    command = ["docker", "-H", "unix:///var/run/docker.sock", "run", "--rm", "--network", "none"]
    command += ["-v", f"{root}:/mirror:ro", IMAGE, "sh", "-c", script]
    printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = []
    for line in printed.splitlines():
        if line.startswith("'file:/mirror/debian/"):
            uri, _name, _size, md5 = line.split()
            found.append((uri.strip("'").removeprefix("file:/mirror/debian/"), md5.removeprefix("MD5Sum:")))
    if not found:
        raise SystemExit(f"[apt-mirror] apt in {IMAGE} wants no package for {PACKAGES}:\n{printed}")
    return found


def complete(root: Path, debs: list[tuple[str, str]]) -> bool:
    for path, md5 in debs:
        file = root / "debian" / urllib.request.url2pathname(path)
        if not file.is_file() or hashlib.md5(file.read_bytes()).hexdigest() != md5:
            return False
    return True


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/var/cache/layerlab/apt-mirror")
    ready = root / "ready"
    if ready.is_file() and ready.read_text().split() == list(PACKAGES):
        log(f"ready at {root}")
        return
    log(f"fetching {SUITE}'s indexes into {root}")
    indexes(root)
    debs = wanted_debs(root)
    if not complete(root, debs):
        for path, md5 in debs:
            target = root / "debian" / urllib.request.url2pathname(path)
            fetch(f"{MIRROR}/{path}", target)
            if hashlib.md5(target.read_bytes()).hexdigest() != md5:
                raise SystemExit(f"[apt-mirror] {path}: not the file Debian's index names")
    ready.write_text(" ".join(PACKAGES) + "\n")
    log(f"ready at {root}: {len(debs)} packages for {', '.join(PACKAGES)}")


if __name__ == "__main__":
    main()
