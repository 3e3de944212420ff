"""Replies of the OverlayFS playground (``/overlay``)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Catalog
from bot.render import overlay, pictures
from bot.render.units import human_size
from bot.sandbox.limits import Limits
from bot.sandbox.models import OverlayMountView
from bot.services.playground import PlaygroundRun
from bot.ui.replies import (
    EMBED_COLOUR,
    WARNING_COLOUR,
    Reply,
    code_content,
    make_embed,
    run_fields,
    transcript_output,
    warnings,
)


def run_reply(t: Catalog, lang: str, run: PlaygroundRun, limits: Limits, idle_minutes: float) -> Reply:
    """The command as typed in the playground's shell, and what it printed."""
    result = run.result
    text = f"$ {result.command}\n" + transcript_output(result)
    content, files = code_content(t, lang, text, "overlay-run.txt")
    notes = warnings(t, lang, result, limits)
    intro = [t(lang, "overlay.created")] if run.created else []
    if run.wiped:
        intro.append(t(lang, "overlay.wiped", limit=human_size(limits.memory_bytes)))
    explain = t(lang, "overlay.run_explain", minutes=f"{idle_minutes:g}")
    box = make_embed(
        t(lang, "overlay.run_title"),
        "\n".join([*notes, *intro, explain]),
        WARNING_COLOUR if notes else EMBED_COLOUR,
    )
    run_fields(t, lang, box, result)
    return Reply(content=content, embeds=(box,), files=files)


def reset_reply(t: Catalog, lang: str, removed: bool) -> Reply:
    return Reply(content=t(lang, "overlay.reset_done" if removed else "overlay.reset_none"))


def show_reply(t: Catalog, lang: str, views: Sequence[OverlayMountView], under: str = "") -> Reply:
    """Each overlay mount as a table (paths by folder), and what the markers mean."""
    if not views:
        return Reply(
            content="",
            embeds=(make_embed(t(lang, "overlay.show_title"), t(lang, "overlay.show_none")),),
        )
    blocks = [f"{overlay.mount_heading(v)}\n{overlay.mount_table(v, under=under)}" for v in views]
    text = "$ /overlay show\n" + "\n".join(blocks)
    content, files = code_content(t, lang, text, "overlay-show.txt")
    explain = "\n".join([*(f"⚠️ {n}" for n in overlay.notes(views)), t(lang, "overlay.show_explain")])
    embed = make_embed(t(lang, "overlay.show_title"), explain)
    # The first mount drawn (a playground mostly has one; the table shows them all).
    grid = overlay.grid(views[0], under=under)
    if not grid.paths:
        return Reply(content=content, embeds=(embed,), files=files)
    title = t(lang, "overlay.picture_title", merged=views[0].merged.path)
    colours = pictures.overlay_colours(len(grid.rows), views[0].upper is not None)
    note = t(lang, "overlay.picture_note")
    if grid.left_out:
        note += " " + t(lang, "overlay.picture_more", count=grid.left_out)
    embed.set_image(url=f"attachment://{PICTURE}")
    return Reply(
        content=content,
        embeds=(embed,),
        files=(*files, (PICTURE, pictures.draw_overlay(title, grid, colours, note))),
        alts=((PICTURE, pictures.overlay_alt(title, grid)),),
    )


PICTURE = "overlay.png"
