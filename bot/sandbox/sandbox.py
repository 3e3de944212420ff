"""One engine's sandbox: its connection and the parts that use it, built once.

``Sandbox`` holds no logic of its own; services reach the part they need
(``sandbox.images.history``, ``sandbox.labs.run``, ...).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.sandbox.cleanup import Cleanup
from bot.sandbox.client import EngineClient
from bot.sandbox.disk import DiskGuard
from bot.sandbox.helpers import Helpers
from bot.sandbox.host import Host
from bot.sandbox.images import Images
from bot.sandbox.labs import LabContainers
from bot.sandbox.limits import Limits
from bot.sandbox.playground import Playgrounds
from bot.sandbox.policy import ImagePolicy
from bot.sandbox.runner import Runner
from bot.sandbox.warm import WarmPool


class Sandbox:
    def __init__(
        self,
        *,
        limits: Limits,
        base_images: Sequence[str],
        default_image: str,
        image_quota: int = 5,
        docker_host: str | None = None,
        workers: int = 8,
        warm_pool: int = 0,
    ) -> None:
        self.client = EngineClient(docker_host, workers=workers)
        self.policy = ImagePolicy(
            self.client, base_images=base_images, default_image=default_image, image_quota=image_quota
        )
        self.helpers = Helpers(self.client, self.policy)
        self.disk = DiskGuard(self.client, self.helpers, limits.min_free_bytes, limits.min_free_inodes)
        self.runner = Runner(self.client, limits, self.policy.base_images, self.disk, self.helpers)
        self.images = Images(self.client, self.policy, self.runner)
        self.host = Host(self.client, self.policy, self.runner, self.helpers)
        self.labs = LabContainers(self.client, self.policy, self.runner, self.images, self.host)
        self.playgrounds = Playgrounds(self.client, self.policy, self.runner)
        self.cleanup = Cleanup(self.client, limits.timeout)
        self.warm = WarmPool(self.client, self.runner, self.policy.base_images, warm_pool)
        self.runner.warm = self.warm

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def up(self) -> bool:
        """What the last contact with the engine said."""
        return self.client.up

    async def close(self) -> None:
        await self.warm.close()
        await self.disk.close()
        await self.client.close()
