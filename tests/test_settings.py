import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    expected = {
        field.validation_alias if isinstance(field.validation_alias, str) else f"LAYERLAB_{name.upper()}"
        for name, field in Settings.model_fields.items()
    }
    assert listed == expected


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    monkeypatch.setenv("LAYERLAB_GUILD_IDS", "1, 2,3")
    monkeypatch.setenv("LAYERLAB_BASE_IMAGES", "ubuntu:latest, alpine")
    monkeypatch.setenv("LAYERLAB_SANDBOX_NETWORK", "bridge")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.token == "abc"
    assert "abc" not in repr(settings)  # the token never shows in logs or tracebacks
    assert settings.guild_ids == [1, 2, 3]
    assert settings.base_images == ["ubuntu:latest", "alpine"]
    assert settings.limits.network == "bridge"
    assert settings.limits.memory_bytes == 256 * 1024 * 1024


def test_defaults_match_the_issue() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database == Path("layerlab.db")
    assert settings.default_image == "ubuntu:latest"
    assert settings.base_images == ["ubuntu:latest", "debian:bookworm", "alpine:latest"]
    assert settings.language == "nl"
    assert settings.sandbox_network == "none"
    assert settings.image_quota == 5


@pytest.mark.parametrize("network", ["host", "container:abc"])
def test_the_sandbox_may_not_share_the_host_network(network: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, sandbox_network=network)  # type: ignore[call-arg]


def test_several_engines_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://one:2376")
    assert Settings(_env_file=None).engine_urls == ["tcp://one:2376"]  # type: ignore[call-arg]
    monkeypatch.setenv("LAYERLAB_DOCKER_HOSTS", "tcp://lab1:2376, ssh://admin@lab2")
    assert Settings(_env_file=None).engine_urls == ["tcp://lab1:2376", "ssh://admin@lab2"]  # type: ignore[call-arg]
    monkeypatch.delenv("DOCKER_HOST")
    monkeypatch.delenv("LAYERLAB_DOCKER_HOSTS")
    assert Settings(_env_file=None).engine_urls == ["unix:///var/run/docker.sock"]  # type: ignore[call-arg]


@pytest.mark.parametrize("hosts", ["lab1:2376", "tcp://a:1,tcp://a:1"])
def test_engine_lists_that_are_refused(hosts: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, docker_hosts=hosts)  # type: ignore[call-arg]
