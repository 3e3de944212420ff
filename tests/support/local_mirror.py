"""The local mirrors the tests serve to their containers, so that no test reaches the
internet: Debian's (scripts/apt_mirror.py) for the exercises' `apt install`, and the
bot's wheels (scripts/wheelhouse.py) for the build of its image.

A busybox httpd container serves a mirror's folder (read-only) on an internal
network, where it answers to a name: ``deb.debian.org`` for Debian's, so the test
image's own sources.list reaches it, apt checks Debian's signature as ever, and the
package lists have their usual names. An internal network has no route out. The
bot is given the network as ``LAYERLAB_SANDBOX_NETWORK`` (it takes any network the
engine has), `docker build` as ``--network``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors

CACHE = Path(os.environ.get("LAYERLAB_CACHE_DIR", "/var/cache/layerlab"))
APT = CACHE / "apt-mirror"
WHEELS = CACHE / "wheels"
IMAGE = "layerlab-test/busybox:latest"


def _bridge(engine: docker.DockerClient, network: str) -> str:
    """A bridge name of this engine and network's own (at most 15 characters):
    engines on one machine must not make bridges of the same name."""
    # Not the client's base_url: docker-py gives every unix socket the same one.
    info = engine.info()
    who = "|".join(str(info.get(k, "")) for k in ("ID", "DockerRootDir"))
    return "llm" + hashlib.sha256(f"{who} {network}".encode()).hexdigest()[:10]


def _forward(bridge: str, action: str) -> None:
    """Allow traffic between two containers on the bridge. The newer test engines run
    with iptables off (scripts/engines.sh) under the main engine's FORWARD policy DROP;
    the rule lets nothing in or out of the bridge."""
    rule = ["FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"]
    present = subprocess.run(["iptables", "-C", *rule], capture_output=True).returncode == 0
    if present == (action == "-D"):
        subprocess.run(["iptables", action, *rule], check=True, capture_output=True)


def _remove(engine: docker.DockerClient, network: str) -> None:
    with contextlib.suppress(docker.errors.NotFound):
        engine.api.remove_container(f"{network}-server", force=True)
    with contextlib.suppress(docker.errors.NotFound):
        engine.api.remove_network(network)


@contextlib.contextmanager
def served(engine: docker.DockerClient, folder: Path, *, network: str, alias: str) -> Iterator[str]:
    """``network``, internal, on which ``alias`` is an HTTP server of ``folder``."""
    if not (folder / "ready").is_file():
        raise RuntimeError(f"No mirror at {folder}: run scripts/test (it makes the tests' mirrors)")
    _remove(engine, network)  # left by a test run that was killed
    api, bridge = engine.api, _bridge(engine, network)
    api.create_network(
        network, driver="bridge", internal=True, options={"com.docker.network.bridge.name": bridge}
    )
    _forward(bridge, "-I")
    try:
        server = api.create_container(
            IMAGE,
            ["busybox", "httpd", "-f", "-p", "80", "-h", "/srv"],
            name=f"{network}-server",
            host_config=api.create_host_config(
                binds={str(folder): {"bind": "/srv", "mode": "ro"}}, network_mode=network, read_only=True
            ),
            networking_config=api.create_networking_config(
                {network: api.create_endpoint_config(aliases=[alias])}
            ),
        )
        api.start(server["Id"])
        yield network
    finally:
        _remove(engine, network)
        _forward(bridge, "-D")
