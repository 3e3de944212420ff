"""/layers: what each layer of an image holds, the space it wastes, and the stack drawn."""

from __future__ import annotations

from bot.errors import UserError
from bot.i18n import Catalog
from bot.render import layers as text
from bot.render import pictures
from bot.render.table import table
from bot.render.units import human_size
from bot.sandbox.layer_diff import ImageLayers, PathEvent, whence
from bot.sandbox.models import Change, ChangeKind, ImageRef
from bot.ui.replies import Reply, code_content, make_embed

PICTURE = "layers.png"


def stack_picture(t: Catalog, lang: str, image: str, found: ImageLayers) -> tuple[bytes, str]:
    """The layer stack as PNG, and its text alternative."""
    bars = pictures.layer_bars([(layer.created_by, layer.size) for layer in found.layers], found.base_layers)
    title = t(lang, "layers.picture_title", image=image)
    legend = [(pictures.OWN, t(lang, "layers.legend_own"))]
    if found.base_layers:
        legend.append((pictures.BASE, t(lang, "layers.legend_base")))
    return pictures.draw_stack(title, bars, legend), pictures.alt_text(title, bars)


def layers_reply(t: Catalog, lang: str, ref: ImageRef, found: ImageLayers, layer: int | None) -> Reply:
    image = ref.shown
    if layer is not None:
        if not 1 <= layer <= len(found.layers):
            raise UserError("layers.no_layer", layer=layer, count=len(found.layers), image=image)
        content, files = code_content(t, lang, text.one_layer(image, found, layer - 1), f"layer-{layer}.txt")
        view = found.layers[layer - 1]
        embed = make_embed(
            t(lang, "layers.one_title", image=image, layer=layer, count=len(found.layers)),
            t(lang, "layers.explain_changes") + ("\n" + t(lang, "layers.cut") if view.cut else ""),
        )
        return Reply(content=content, embeds=(embed,), files=files)
    overview = f"$ layers {image}\n{text.layer_table(found)}\n{text.wasted(found.efficiency)}"
    content, _ = code_content(t, lang, overview, "layers.txt")
    png, alt = stack_picture(t, lang, image, found)
    description = "\n".join(
        [
            t(lang, "layers.explain", count=len(found.layers)),
            t(lang, "layers.explain_changes"),
            t(lang, "layers.explain_base") if found.base_layers else "",
            t(lang, "layers.explain_wasted"),
            t(lang, "layers.one_hint", image=image),
        ]
    )
    embed = make_embed(t(lang, "layers.title", image=image), description.replace("\n\n", "\n"))
    embed.set_image(url=f"attachment://{PICTURE}")
    files = (("layers.txt", text.whole(image, found).encode()), (PICTURE, png))
    return Reply(content=content, embeds=(embed,), files=files, alts=((PICTURE, alt),))


def compare_reply(
    t: Catalog, lang: str, a: ImageRef, b: ImageRef, first: ImageLayers, second: ImageLayers
) -> Reply:
    shared, table = text.compare_rows(first, second)
    content, files = code_content(t, lang, f"$ layers compare {a.shown} {b.shown}\n{table}", "compare.txt")
    if shared == len(first.layers) == len(second.layers):
        verdict = t(lang, "layers.same", a=a.shown, b=b.shown)
    elif shared == 0:
        verdict = t(lang, "layers.nothing_shared", a=a.shown, b=b.shown)
    else:
        verdict = t(lang, "layers.shared", count=shared, a=a.shown, b=b.shown, next=shared + 1)
    embed = make_embed(
        t(lang, "layers.compare_title", a=a.shown, b=b.shown),
        verdict + "\n" + t(lang, "layers.compare_explain"),
    )
    return Reply(content=content, embeds=(embed,), files=files)


def whence_reply(
    t: Catalog,
    lang: str,
    ref: ImageRef,
    found: ImageLayers,
    path: str,
    lab_changes: tuple[Change, ...] | None,
) -> Reply:
    """Which layer provides ``path``, which copies it hides, or which layer deleted it."""
    events = whence(found, path)
    writable = next((c for c in lab_changes or () if c.path == path), None)
    rows = [["LAYER", "", "SIZE", "CREATED BY"]]
    if writable is not None:
        rows.append([t(lang, "whence.writable"), writable.kind.letter, "", ""])
    for event in reversed(events):
        step = found.layers[event.layer].created_by
        name = "" if event.path == path else f"({text.shown_path(event.path)})"
        rows.append(
            [str(event.layer + 1), event.kind.letter, human_size(event.size), f"{name} {step}".strip()]
        )
    where = ref.shown if lab_changes is None else t(lang, "whence.your_lab", image=ref.shown)
    transcript = f"$ whence {text.shown_path(path)} {ref.shown}\n" + (table(rows) if len(rows) > 1 else "")
    content, files = code_content(t, lang, transcript, "whence.txt")
    lines = [_verdict(t, lang, events, writable, path, where)]
    lines.append(t(lang, "whence.explain"))
    embed = make_embed(t(lang, "whence.title", path=text.shown_path(path)[:200]), "\n".join(lines))
    return Reply(content=content, embeds=(embed,), files=files)


def _verdict(
    t: Catalog, lang: str, events: list[PathEvent], writable: Change | None, path: str, where: str
) -> str:
    shown = text.shown_path(path)
    if writable is not None and writable.kind is ChangeKind.DELETED:
        return t(lang, "whence.deleted_in_lab", path=shown)
    if writable is not None:
        return t(
            lang,
            "whence.in_lab",
            path=shown,
            copies=len([e for e in events if e.kind is not ChangeKind.DELETED]),
        )
    if not events:
        return t(lang, "whence.nowhere", path=shown, image=where)
    last = events[-1]
    hidden = [e for e in events[:-1] if e.kind is not ChangeKind.DELETED]
    if last.kind is ChangeKind.DELETED:
        kept = ", ".join(str(e.layer + 1) for e in events if e.kind is not ChangeKind.DELETED)
        return t(lang, "whence.deleted", path=shown, layer=last.layer + 1, image=where, kept=kept or "–")
    hides = ", ".join(str(e.layer + 1) for e in hidden)
    key = "whence.provides_hiding" if hidden else "whence.provides"
    return t(
        lang, key, path=shown, layer=last.layer + 1, image=where, size=human_size(last.size), hidden=hides
    )
