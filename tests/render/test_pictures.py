"""The layer-stack pictures: valid PNGs of a sensible size, with a text alternative."""

from __future__ import annotations

import io

from PIL import Image

from bot.render import overlay, pictures


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


def test_accented_letters_are_drawn_not_left_as_boxes() -> None:
    """The shipped font has the letters Dutch needs; Pillow's built-in one has not."""
    font = pictures._font(22)
    missing = font.getmask("\uffff").getbbox()  # a character no font has: its box
    for letter in "ëïéè":
        assert font.getmask(letter).getbbox() != missing
        assert font.getmask(letter).getbbox() != font.getmask("e").getbbox()


def test_a_container_stack_keeps_the_top_and_the_bottom_of_many_layers() -> None:
    folders = [
        pictures.Folder("merged view", "/var/lib/docker/overlay2/" + "a" * 64 + "/merged", pictures.MERGED),
        pictures.Folder("writable (UpperDir)", "/var/lib/docker/overlay2/a/diff", pictures.WRITABLE),
        *(pictures.Folder(f"image layer {n}", f"/x/{n}/diff", pictures.OWN) for n in range(40, 0, -1)),
    ]
    data = pictures.draw_folders("The layers of lab", folders, [(pictures.OWN, "image layers")])
    shown = opened(data)
    assert shown.format == "PNG" and shown.width == pictures.WIDTH
    rows = pictures.MAX_FOLDERS
    assert shown.height == (
        pictures.MARGIN * 2
        + pictures.TITLE_SIZE
        + pictures.GAP
        + rows * (pictures.ROW_HEIGHT + pictures.GAP)
        + pictures.BAR_HEIGHT
        + pictures.GAP
    )
    alt = pictures.folders_alt("The layers of lab", folders)
    assert alt.splitlines()[1] == "merged view: /var/lib/docker/overlay2/" + "a" * 64 + "/merged"
    assert len(alt) <= 1024


def test_an_overlay_grid_is_drawn_with_its_whiteouts() -> None:
    from tests.render.test_overlay_table import sample_view

    grid = overlay.grid(sample_view())
    colours = pictures.overlay_colours(len(grid.rows), has_upper=True)
    data = pictures.draw_overlay("The overlay on /overlay/merged", grid, colours, "a note " * 40)
    shown = opened(data).convert("RGB")
    assert shown.width == pictures.WIDTH and 200 < shown.height < 800 and len(data) < 200_000
    found = {colour for _, colour in shown.getcolors(maxcolors=1 << 16) or ()}
    assert pictures.WHITEOUT in found and pictures.WRITABLE in found
