"""/layers through the bot (real discord.py, the engine's `docker save`, Pillow)."""

from __future__ import annotations

import io
from pathlib import Path

import docker
import pytest
from PIL import Image

from bot.render import pictures
from tests.bot.test_demos import code
from tests.conftest import DEBIAN, LAYERED, STUDENT, Harness, make_settings, running_bot


@pytest.fixture
async def course(engine: docker.DockerClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(tmp_path)) as harness:
        yield harness
        await harness.built.fleet.engines[0].sandbox.images.remove_all(harness.session_owner(STUDENT))


def layer_rows(shown: str) -> list[str]:
    """The rows of the layer table: from the header to the first blank line."""
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("LAYER"))
    end = lines.index("", start)
    return lines[start + 1 : end]


def picture(data: bytes) -> Image.Image:
    shown = Image.open(io.BytesIO(data))
    shown.load()
    return shown


async def test_layers_of_an_image_with_its_picture(course: Harness) -> None:
    it = await course.run("layers image", image=LAYERED, locale="en-US")
    shown = code(course.message(it))
    assert shown.startswith(f"$ layers {LAYERED}\nLAYER")
    rows = layer_rows(shown)
    assert len(rows) == 4 and rows[0].startswith("1* ")  # the bottom layer first: Debian's, shared
    assert "Potential wasted space: 310B" in shown and "Image efficiency score: 99 %" in shown
    assert "/etc/motd" in shown
    files = course.files(it)
    png = picture(files["layers.png"])
    assert png.format == "PNG" and png.width == 960 and 150 < png.height < 1000
    assert len(files["layers.png"]) < 1024 * 1024  # far below Discord's 10 MB
    whole = files["layers.txt"].decode()
    assert "# layer 2: " in whole and "A /opt/app/hello.txt" in whole and "D /usr/share/doc/" in whole
    attachments = course.message(it)["attachments"]
    assert {a["filename"] for a in attachments} == {"layers.png", "layers.txt"}
    embed = course.message(it)["embeds"][0]
    assert embed["image"]["url"] == "attachment://layers.png" and "whiteout" in embed["description"]


async def test_one_layer_compare_and_mistakes(course: Harness) -> None:
    one = await course.run("layers image", image=LAYERED, layer=4, locale="en-US")
    shown = code(course.message(one))
    assert "A /opt/app/long.txt" in shown and "(whiteout)" in shown  # rm -rf /usr/share/doc/*
    too_far = await course.run("layers image", image=LAYERED, layer=9, locale="en-US")
    assert "has 4 layer(s): give a number from 1 to 4 (you gave 9)" in course.text(too_far)
    unknown = await course.run("layers image", image="kubernetes", locale="en-US")
    assert "kubernetes" in course.text(unknown) and "$ layers" not in course.text(unknown)

    compared = await course.run("layers compare", a=LAYERED, b=DEBIAN, locale="en-US")
    assert "share their bottom 1 layer(s); from layer 2 on they diverge" in course.text(compared)
    same = await course.run("layers compare", a=DEBIAN, b=DEBIAN, locale="en-US")
    assert "exactly the same layers" in course.text(same)


async def test_own_images_mark_the_layers_of_their_base(course: Harness) -> None:
    await course.run("commit", name="mine", command="echo hi > /hi && rm /etc/debian_version")
    it = await course.run("layers image", image="mine", locale="en-US")
    rows = layer_rows(code(course.message(it)))
    assert len(rows) == 2 and rows[0].startswith("1*") and rows[1].startswith("2 ")
    top = code(course.message(await course.run("layers image", image="mine", layer=2, locale="en-US")))
    assert "A /hi" in top and "D /etc/debian_version   (whiteout)" in top

    # /history draws the same stack: the base image's row in its own colour, named in the legend.
    history = await course.run("history", image="mine", locale="en-US")
    alt = course.alt(history, "history.png")
    assert alt.splitlines()[1].startswith("■ ") and "echo hi > /hi" in alt.splitlines()[1]
    assert alt.splitlines()[-1].startswith("▪ ")  # the bottom bar: Debian's own layer
    drawn = picture(course.files(history)["history.png"]).convert("RGB")
    colours = {colour for _, colour in drawn.getcolors(maxcolors=1 << 16) or ()}
    assert pictures.BASE in colours and pictures.OWN in colours
    base = await course.run("history", image=DEBIAN, locale="en-US")  # a base image has no base
    assert "▪" not in course.alt(base, "history.png")
