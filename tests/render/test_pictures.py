"""The layer-stack pictures: valid PNGs of a sensible size, with a text alternative."""

from __future__ import annotations

import io

from PIL import Image

from bot.render import pictures


def opened(data: bytes) -> Image.Image:
    shown = Image.open(io.BytesIO(data))
    shown.load()  # decodes the whole picture: a broken PNG fails here
    return shown


def test_a_stack_of_many_layers_stays_readable_and_small() -> None:
    steps = [(f"RUN step number {i} with a long command " + "x" * 80, 10**i % 10**9) for i in range(60)]
    bars = pictures.layer_bars(steps, base_layers=2)
    legend = [(pictures.OWN, "own"), (pictures.BASE, "base")]
    data = pictures.draw_stack("The layers of a big image", bars, legend)
    shown = opened(data)
    assert shown.format == "PNG" and shown.width == pictures.WIDTH
    assert shown.height < 3000 and len(data) < 1024 * 1024  # 40 bars at most
    assert shown.getpixel((pictures.MARGIN + 2, shown.height - pictures.MARGIN - 30)) != pictures.BACKGROUND
    alt = pictures.alt_text("The layers of a big image", bars)
    assert len(alt) <= 1024 and alt.startswith("The layers of a big image\n■ 60. ")


def test_labels_from_students_cannot_break_the_picture() -> None:
    bars = pictures.layer_bars([("echo \x1b[31m\nhi\t…", 0), ("", 5)], base_layers=1)
    assert all(c.isprintable() for c in bars[0].label) and bars[1].label.endswith("-")
    opened(pictures.draw_stack("tïtle with ünicode and \x00", bars))
