"""Configuration: one ``Settings`` object, read from the environment and ``.env``.

Built once in ``bot.__main__`` and passed down; nothing reads the environment
at import time. Every setting is listed with its default in ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.sandbox.limits import Limits
from bot.sandbox.models import DEFAULT_DOCKER_HOST

Language = Literal["nl", "en"]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LAYERLAB_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    docker_host: str | None = Field(default=None, validation_alias="DOCKER_HOST")
    #: Several lab engines (comma-separated URLs); empty: the one engine of DOCKER_HOST.
    docker_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    database: Path = Path("layerlab.db")
    default_image: str = "ubuntu:latest"
    base_images: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["ubuntu:latest", "debian:bookworm", "alpine:latest"]
    )
    language: Language = "nl"
    #: Post results in the channel for everyone instead of privately with a share button.
    public_results: bool = False
    log_level: str = "INFO"

    # Sandbox limits, each enforced by the engine (see bot.sandbox.runner.host_config).
    sandbox_network: str = "none"
    sandbox_memory_mb: int = Field(default=256, ge=16)
    sandbox_cpus: float = Field(default=1.0, gt=0)
    sandbox_pids: int = Field(default=128, ge=8)
    sandbox_timeout: float = Field(default=120.0, gt=0)
    sandbox_output_bytes: int = Field(default=256 * 1024, ge=1024)
    sandbox_file_size_mb: int = Field(default=256, ge=1)
    sandbox_writable_mb: int = Field(default=1024, ge=1)
    #: Free space (MiB) on each engine's data root below which student commands are
    #: refused, and running ones ended (0: no floor).
    min_free_mb: int = Field(default=2048, ge=0)
    #: Free inodes (room for files) there below which the same happens (0: no floor):
    #: a flood of empty files uses up inodes while it takes no bytes.
    min_free_inodes: int = Field(default=200_000, ge=0)
    sandbox_concurrency: int = Field(default=4, ge=1)
    #: On SIGTERM, seconds running commands get to finish before they are ended
    #: (the whole stop then takes a few seconds more: keep the container manager's
    #: stop timeout, e.g. compose's stop_grace_period, above this plus 15).
    shutdown_grace_seconds: float = Field(default=5.0, ge=0, le=120)
    image_quota: int = Field(default=5, ge=0)
    #: Warm containers kept started and idle per base image and engine, for one-shot
    #: commands (/diff, Try it, class predictions); 0 turns the pool off. Each costs
    #: about 4 MB of memory and 0.2 MB of disk on the lab host while it waits (README).
    warm_pool: int = Field(default=4, ge=0, le=32)

    # Lab containers (one per student per course server).
    #: An idle lab container is stopped after this many minutes ...
    lab_stop_minutes: float = Field(default=15.0, gt=0)
    #: ... and removed, with its writable layer, after this many hours.
    lab_remove_hours: float = Field(default=24.0, gt=0)
    #: Members with this role (or the Manage Server permission) are teachers.
    teacher_role: str = "Teacher"
    #: Channel where /ask posts each question as its own thread (none: teachers use /questions).
    qna_channel: int | None = None
    #: Ask Discord for the privileged Message Content intent (switch it on in the developer
    #: portal first), so that `/answer` without text can read a teacher's reply in the
    #: question's thread. Without it, teachers use the message menu "Use as answer".
    message_content_intent: bool = False
    #: Questions one student may ask per hour.
    ask_per_hour: int = Field(default=5, ge=1)
    #: The longest question, in characters.
    ask_max_chars: int = Field(default=1000, ge=50, le=1800)
    #: The course's time zone: exercise deadlines are read and shown in it.
    timezone: str = "Europe/Brussels"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("guild_ids", "base_images", "docker_hosts", mode="before")
    @classmethod
    def _comma_lists(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("docker_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for url in value:
            if "://" not in url:
                raise ValueError(f"{url!r} is not an engine URL (unix:///..., tcp://host:port, ssh://...)")
        if len(set(value)) != len(value):
            raise ValueError("an engine is listed twice")
        return value

    @field_validator("sandbox_network")
    @classmethod
    def _network(cls, value: str) -> str:
        if value in ("host",) or value.startswith("container:"):
            raise ValueError("the sandbox may not share the host's or another container's network")
        return value

    @property
    def limits(self) -> Limits:
        return Limits(
            network=self.sandbox_network,
            memory_bytes=self.sandbox_memory_mb * 1024 * 1024,
            cpus=self.sandbox_cpus,
            pids=self.sandbox_pids,
            timeout=self.sandbox_timeout,
            output_bytes=self.sandbox_output_bytes,
            file_size_bytes=self.sandbox_file_size_mb * 1024 * 1024,
            writable_bytes=self.sandbox_writable_mb * 1024 * 1024,
            min_free_bytes=self.min_free_mb * 1024 * 1024,
            min_free_inodes=self.min_free_inodes,
        )

    @property
    def engine_urls(self) -> list[str]:
        """Every lab engine, by URL: the URL is how a student's placement names it,
        so keep it the same when the list changes (order does not matter)."""
        if self.docker_hosts:
            return list(self.docker_hosts)
        return [self.docker_host or DEFAULT_DOCKER_HOST]

    @property
    def token(self) -> str | None:
        if self.discord_token is None:
            return None
        return self.discord_token.get_secret_value() or None
