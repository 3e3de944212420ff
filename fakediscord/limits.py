"""The limits real Discord enforces, kept by the fake so that tests catch overflows."""

from __future__ import annotations

from typing import Any

#: Discord fails an interaction that got no first response within this time.
FIRST_RESPONSE_SECONDS = 3.0
MESSAGE_CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELDS_LIMIT = 25
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
FILES_PER_MESSAGE = 10
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
EPHEMERAL = 1 << 6
LOADING = 1 << 7


def check_message(payload: dict[str, Any], files: dict[str, bytes]) -> str | None:
    """What real Discord would refuse in this message (None: nothing)."""
    content = payload.get("content") or ""
    if len(content) > MESSAGE_CONTENT_LIMIT:
        return f"content is {len(content)} characters, limit {MESSAGE_CONTENT_LIMIT}"
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        return f"{len(embeds)} embeds"
    for embed in embeds:
        total = 0
        for key, limit in (("title", EMBED_TITLE_LIMIT), ("description", EMBED_DESCRIPTION_LIMIT)):
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                return f"embed {key} is {len(text)} characters, limit {limit}"
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_LIMIT:
            return f"{len(fields)} embed fields"
        for f in fields:
            if not f.get("name") or not f.get("value"):
                return "embed field with an empty name or value"
            if len(f["name"]) > EMBED_FIELD_NAME_LIMIT or len(f["value"]) > EMBED_FIELD_VALUE_LIMIT:
                return "embed field too long"
            total += len(f["name"]) + len(f["value"])
        footer = (embed.get("footer") or {}).get("text") or ""
        if len(footer) > EMBED_FOOTER_LIMIT:
            return "embed footer too long"
        total += len(footer)
        if total > EMBED_TOTAL_LIMIT:
            return f"embed has {total} characters, limit {EMBED_TOTAL_LIMIT}"
    if len(files) > FILES_PER_MESSAGE:
        return f"{len(files)} files"
    for name, data in files.items():
        if len(data) > ATTACHMENT_SIZE_LIMIT:
            return f"file {name} is {len(data)} bytes"
    for row in payload.get("components") or []:
        for component in row.get("components", []):
            if len(component.get("label") or "") > BUTTON_LABEL_LIMIT:
                return "button label too long"
            if len(component.get("custom_id") or "") > CUSTOM_ID_LIMIT:
                return "custom_id too long"
    return None
