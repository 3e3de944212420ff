"""The local Debian mirror (scripts/apt_mirror.py) served to the tests' containers.

A busybox httpd container serves the mirror's folder (read-only) on an internal
network, where it answers to ``deb.debian.org``: the test image's own
sources.list then reaches it, apt checks Debian's signature as ever, and the
package lists have their usual names. An internal network has no route out, so
a test's `apt install` stays on this machine. The bot is given the network as
``LAYERLAB_SANDBOX_NETWORK``, which takes any network the engine has.
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

ROOT = Path(os.environ.get("LAYERLAB_APT_MIRROR", "/var/cache/layerlab/apt-mirror"))
NETWORK = "layerlab-test-apt"
SERVER = "layerlab-test-apt-mirror"
IMAGE = "layerlab-test/busybox:latest"


def _bridge(engine: docker.DockerClient) -> str:
    """A bridge name of this engine's own (at most 15 characters): engines on one
    machine must not make bridges of the same name."""
    return "llapt" + hashlib.sha256(engine.api.base_url.encode()).hexdigest()[:8]


def _forward(bridge: str, action: str) -> None:
    """Allow traffic between two containers on the bridge. The newer test engines run
    with iptables off (scripts/engines.sh) under the main engine's FORWARD policy DROP;
    the rule lets nothing in or out of the bridge."""
    rule = ["FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"]
    present = subprocess.run(["iptables", "-C", *rule], capture_output=True).returncode == 0
    if present == (action == "-D"):
        subprocess.run(["iptables", action, *rule], check=True, capture_output=True)


def _remove(engine: docker.DockerClient) -> None:
    with contextlib.suppress(docker.errors.NotFound):
        engine.api.remove_container(SERVER, force=True)
    with contextlib.suppress(docker.errors.NotFound):
        engine.api.remove_network(NETWORK)


@contextlib.contextmanager
def served(engine: docker.DockerClient) -> Iterator[str]:
    """The internal network on which ``deb.debian.org`` is the mirror; its name."""
    if not (ROOT / "ready").is_file():
        raise RuntimeError(f"No Debian mirror at {ROOT}: run scripts/test, or python3 scripts/apt_mirror.py")
    _remove(engine)  # left by a test run that was killed
    api, bridge = engine.api, _bridge(engine)
    api.create_network(
        NETWORK, driver="bridge", internal=True, options={"com.docker.network.bridge.name": bridge}
    )
    _forward(bridge, "-I")
    try:
        server = api.create_container(
            IMAGE,
            ["busybox", "httpd", "-f", "-p", "80", "-h", "/srv"],
            name=SERVER,
            host_config=api.create_host_config(
                binds={str(ROOT): {"bind": "/srv", "mode": "ro"}}, network_mode=NETWORK, read_only=True
            ),
            networking_config=api.create_networking_config(
                {NETWORK: api.create_endpoint_config(aliases=["deb.debian.org"])}
            ),
        )
        api.start(server["Id"])
        yield NETWORK
    finally:
        _remove(engine)
        _forward(bridge, "-D")
