"""A second, real Docker engine on this machine, for the several-engines tests.

A plain ``dockerd`` with its own data-root, exec-root, pidfile, socket,
containerd namespace and cgroup parent, so it shares nothing with the main
test engine. It gets a bridge of its own: ``--bridge=none`` would make it delete
the host's ``docker0``, which the main engine needs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import docker

BRIDGE = "llbr2"
BRIDGE_ADDRESS = "172.31.252.1/24"
START_TIMEOUT = 60.0


class SecondEngine:
    def __init__(self) -> None:
        # Short: containerd's sockets live under exec-root, and socket paths are capped at 108 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="ll-e2-", dir="/tmp"))
        self.socket = self.root / "docker.sock"
        self.pidfile = self.root / "docker.pid"
        self.url = f"unix://{self.socket}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    def client(self) -> contextlib.closing[docker.DockerClient]:
        """A client of this engine, for a ``with`` block."""
        return contextlib.closing(docker.DockerClient(base_url=self.url, timeout=60))

    def start(self) -> None:
        if shutil.which("dockerd") is None:
            raise RuntimeError("dockerd is not installed; scripts/engine.sh installs it")
        self._bridge()
        log = (self.root / "dockerd.log").open("ab")
        self._process = subprocess.Popen(
            [
                "dockerd",
                f"--data-root={self.root / 'data'}",
                f"--exec-root={self.root / 'exec'}",
                f"--pidfile={self.pidfile}",
                f"--host={self.url}",
                f"--bridge={BRIDGE}",
                "--iptables=false",
                "--ip-masq=false",
                "--containerd-namespace=ll-e2",
                "--containerd-plugins-namespace=ll-e2-plugins",
                "--cgroup-parent=/ll-e2",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the second dockerd exited: {self.log_tail()}")
            try:
                with self.client() as client:
                    client.ping()
                return
            except docker.errors.DockerException:
                time.sleep(0.25)
        raise RuntimeError(f"the second dockerd did not answer in {START_TIMEOUT:.0f} s: {self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, as an operator's ``systemctl stop docker``: its containers stop."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
        self._process = None

    def load(self, *images: str) -> None:
        """Copy images from the main engine (there is no registry to pull from)."""
        save = subprocess.Popen(["docker", "save", *images], stdout=subprocess.PIPE)
        subprocess.run(
            ["docker", "-H", self.url, "load", "-q"], stdin=save.stdout, check=True, capture_output=True
        )
        if save.wait() != 0:
            raise RuntimeError(f"docker save {images} failed")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        subprocess.run(["ip", "link", "delete", BRIDGE], check=False, capture_output=True)

    def log_tail(self) -> str:
        try:
            return (self.root / "dockerd.log").read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    @staticmethod
    def _bridge() -> None:
        shown = subprocess.run(["ip", "link", "show", BRIDGE], capture_output=True)
        if shown.returncode != 0:
            subprocess.run(["ip", "link", "add", "name", BRIDGE, "type", "bridge"], check=True)
            subprocess.run(["ip", "addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE], check=True)
        subprocess.run(["ip", "link", "set", BRIDGE, "up"], check=True)
