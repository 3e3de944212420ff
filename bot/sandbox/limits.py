"""The limits every student container runs under, and how the engine enforces them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docker.types import LogConfig, Ulimit

#: Capabilities a student container keeps. Everything else is dropped. apt needs
#: these five (it drops to the ``_apt`` user and chowns its lists); without them
#: the seed's ``apt install`` exercise fails with "Method http has died".
KEPT_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID")
#: The engine's json log of one container is capped at this size (an output
#: flood would otherwise fill the host's disk through the log file).
LOG_MAX_SIZE = "1m"


@dataclass(frozen=True, slots=True)
class Limits:
    network: str = "none"
    memory_bytes: int = 256 * 1024 * 1024
    cpus: float = 1.0
    pids: int = 128
    timeout: float = 120.0
    output_bytes: int = 256 * 1024
    file_size_bytes: int = 256 * 1024 * 1024
    writable_bytes: int = 1024 * 1024 * 1024

    def host_config(self, *, storage_quota: bool) -> dict[str, Any]:
        """Keyword arguments for ``containers.create`` that enforce these limits."""
        config: dict[str, Any] = {
            "network_mode": self.network,
            "mem_limit": self.memory_bytes,
            "memswap_limit": self.memory_bytes,  # equal: no swap on top of memory
            "nano_cpus": int(self.cpus * 1e9),
            "pids_limit": self.pids,
            "privileged": False,
            "cap_drop": ["ALL"],
            "cap_add": list(KEPT_CAPABILITIES),
            "security_opt": ["no-new-privileges:true"],
            "ulimits": [
                Ulimit(name="fsize", soft=self.file_size_bytes, hard=self.file_size_bytes),
            ],
            "log_config": LogConfig(
                type=LogConfig.types.JSON, config={"max-size": LOG_MAX_SIZE, "max-file": "1"}
            ),
            "volumes": {},
        }
        if storage_quota:
            config["storage_opt"] = {"size": str(self.writable_bytes)}
        return config
