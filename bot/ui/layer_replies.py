"""/layers: what each layer of an image holds, the space it wastes, and the stack drawn."""

from __future__ import annotations

from bot.errors import UserError
from bot.i18n import Catalog
from bot.render import layers as text
from bot.render import pictures
from bot.sandbox.layer_diff import ImageLayers
from bot.sandbox.models import ImageRef
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
