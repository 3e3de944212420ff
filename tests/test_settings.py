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
