"""The bot's own short-lived helper containers: from a base image the course offers
(never a student's image, whose tools could lie or, given a capability, escape),
read-only, no network, no capability unless one is asked for, small limits and a
capped log. They do what a student's container must not: read the host's layer
folders and the engine's free disk space, end every process of a lab container."""

from __future__ import annotations

import contextlib

import docker.errors
from docker.types import LogConfig

from bot.errors import UserError
from bot.sandbox import labels
from bot.sandbox.client import EngineClient
from bot.sandbox.policy import ImagePolicy, image_id

#: A helper's own limits.
HELPER_MEMORY = 64 * 1024 * 1024
HELPER_PIDS = 16
HELPER_TIMEOUT = 30
#: Bytes of a helper's output read (its log is capped at 1 MB on disk too).
OUTPUT_LIMIT = 1024 * 1024


class Helpers:
    def __init__(self, client: EngineClient, policy: ImagePolicy) -> None:
        self.client = client
        self.policy = policy

    def run(
        self,
        command: list[str],
        *,
        binds: dict[str, dict[str, str]],
        pid_mode: str | None = None,
        capabilities: tuple[str, ...] = (),
    ) -> str:
        """Run a helper and return (up to ``OUTPUT_LIMIT`` bytes of) what it printed
        (worker thread). ``capabilities``: the few it needs, for example DAC_READ_SEARCH
        to read a layer whatever its files' modes (safe only with a trusted image: with
        it, open_by_handle_at reaches the whole filesystem of a bind mount)."""
        api = self.client.api
        image = next((b for b in self.policy.base_images if image_id(api, b)), None)
        if image is None:
            raise UserError("error.no_helper_image")
        helper = api.create_container(
            image,
            command=command,
            labels=labels.helper_labels(),
            network_disabled=True,
            host_config=api.create_host_config(
                binds=binds,
                network_mode="none",
                pid_mode=pid_mode,
                cap_drop=["ALL"],
                cap_add=list(capabilities),
                security_opt=["no-new-privileges:true"],
                read_only=True,
                mem_limit=HELPER_MEMORY,
                pids_limit=HELPER_PIDS,
                log_config=LogConfig(type=LogConfig.types.JSON, config={"max-size": "1m", "max-file": "1"}),
            ),
        )
        try:
            api.start(helper["Id"])
            api.wait(helper["Id"], timeout=HELPER_TIMEOUT)
            output = api.logs(helper["Id"], stdout=True, stderr=False)[:OUTPUT_LIMIT]
            return str(output.decode("utf-8", "replace"))
        finally:
            with contextlib.suppress(docker.errors.NotFound):
                api.remove_container(helper["Id"], force=True)
