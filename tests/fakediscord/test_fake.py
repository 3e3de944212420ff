"""The fake Discord on its own: the limits it keeps, and where it points discord.py."""

from __future__ import annotations

import discord.gateway
import discord.http
import pytest

from fakediscord import FakeDiscord
from fakediscord.limits import (
    BUTTON_LABEL_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_CONTENT_LIMIT,
    check_message,
)


def test_it_refuses_what_discord_refuses() -> None:
    assert check_message({"content": "x" * MESSAGE_CONTENT_LIMIT}, {}) is None
    assert "content" in str(check_message({"content": "x" * (MESSAGE_CONTENT_LIMIT + 1)}, {}))
    long = {"embeds": [{"description": "x" * (EMBED_DESCRIPTION_LIMIT + 1)}]}
    assert "description" in str(check_message(long, {}))
    fields = [{"name": "n", "value": "v" * 1000} for _ in range(EMBED_TOTAL_LIMIT // 1000)]
    assert "characters" in str(check_message({"embeds": [{"title": "t", "fields": fields}]}, {}))
    assert "empty" in str(check_message({"embeds": [{"fields": [{"name": "n", "value": ""}]}]}, {}))
    button = {"components": [{"components": [{"label": "x" * (BUTTON_LABEL_LIMIT + 1)}]}]}
    assert "label" in str(check_message(button, {}))
    assert "files" in str(check_message({}, {f"f{i}": b"" for i in range(11)}))


async def test_fakes_nest_and_give_discord_py_its_addresses_back() -> None:
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    outer, inner = FakeDiscord(), FakeDiscord()
    await outer.start()
    try:
        assert discord.http.Route.BASE.startswith(outer.base_url)
        await inner.start()
        assert discord.http.Route.BASE.startswith(inner.base_url)
        with pytest.raises(RuntimeError, match="stop that one first"):
            await outer.stop()
        await inner.stop()
        assert discord.http.Route.BASE.startswith(outer.base_url)
    finally:
        await inner.stop()
        await outer.stop()
    assert before == (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
