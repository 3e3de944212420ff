"""The bot's own short-lived helper containers: read-only, no network, no capability
but reading any file, small limits. They read what a student's container must
not see (the host's layer folders, the engine's free disk space)."""

from __future__ import annotations

import contextlib

import docker.errors

from bot.errors import UserError
from bot.sandbox import labels
from bot.sandbox.client import EngineClient
from bot.sandbox.policy import ImagePolicy, image_id

#: A helper's own limits.
HELPER_MEMORY = 64 * 1024 * 1024
HELPER_PIDS = 16
HELPER_TIMEOUT = 30


class Helpers:
    def __init__(self, client: EngineClient, policy: ImagePolicy) -> None:
        self.client = client
        self.policy = policy

    def run(
        self,
        command: list[str],
        *,
        binds: dict[str, dict[str, str]],
        image: str | None = None,
        pid_mode: str | None = None,
        trusted: bool = False,
    ) -> str:
        """Run a helper and return what it printed (worker thread). ``trusted``: from
        a base image the course offers, never a student's (whose tools could lie)."""
        api = self.client.api
        if trusted:
            image = next((b for b in self.policy.base_images if image_id(api, b)), None)
            if image is None:
                raise UserError("lab.no_overlay")
        assert image is not None
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
                cap_add=["DAC_READ_SEARCH"],
                security_opt=["no-new-privileges:true"],
                read_only=True,
                mem_limit=HELPER_MEMORY,
                pids_limit=HELPER_PIDS,
            ),
        )
        try:
            api.start(helper["Id"])
            api.wait(helper["Id"], timeout=HELPER_TIMEOUT)
            return str(api.logs(helper["Id"], stdout=True, stderr=False).decode("utf-8", "replace"))
        finally:
            with contextlib.suppress(docker.errors.NotFound):
                api.remove_container(helper["Id"], force=True)
