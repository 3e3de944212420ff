"""What each layer holds, read from ``docker save`` on the real engine, against the
layer tarballs themselves (each engine of the matrix saves in its own layout)."""

from __future__ import annotations

import io
import json
import posixpath
import tarfile
from collections.abc import Iterator

import docker
import pytest

from bot.errors import UserError
from bot.sandbox.models import ImageRef
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.saved_image import entry_path
from tests.conftest import BUSYBOX, LAYERED

STEPS = f"""FROM {BUSYBOX}
RUN echo one > /f && mkdir /d && echo old > /d/a
RUN echo two > /f
RUN rm /f
RUN rm -rf /d && mkdir /d && echo new > /d/b
"""
TAG = "layerlab-test/steps:latest"


@pytest.fixture
def steps_image(engine: docker.DockerClient) -> Iterator[str]:
    """An image built here with known steps: a file added, overwritten, deleted, a
    folder replaced (the classic builder, which every engine of the matrix has)."""
    files = io.BytesIO()
    with tarfile.open(fileobj=files, mode="w") as tar:
        data = STEPS.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    files.seek(0)
    for _ in engine.api.build(fileobj=files, custom_context=True, tag=TAG, rm=True):
        pass  # the build's progress; it fails below if the image is not there
    assert engine.images.get(TAG)
    yield TAG
    engine.images.remove(TAG, force=True)


def tarballs(engine: docker.DockerClient, tag: str) -> list[list[str]]:
    """Each layer's member paths, bottom first, from a save read whole (the test's
    own, plain reading: not the bot's streaming reader)."""
    whole = io.BytesIO(b"".join(engine.api.get_image(tag)))
    with tarfile.open(fileobj=whole) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))  # type: ignore[arg-type]
        found = []
        for name in manifest[0]["Layers"]:
            member = outer.getmember(name)
            while member.issym():  # a shared layer may be a link
                target = posixpath.join(posixpath.dirname(member.name), member.linkname)
                member = outer.getmember(posixpath.normpath(target))
            with tarfile.open(fileobj=outer.extractfile(member), mode="r:*") as layer:  # type: ignore[arg-type]
                found.append([entry_path(m.name) for m in layer.getmembers()])
    return found


def lines(layer: object) -> list[str]:
    return [f"{c.kind.letter} {c.path}" for c in layer.changes]  # type: ignore[attr-defined]


async def test_each_layer_is_what_its_tarball_holds(
    sandbox: Sandbox, engine: docker.DockerClient, steps_image: str
) -> None:
    ref = ImageRef(shown=steps_image, engine_ref=steps_image, own=False)
    found = await sandbox.images.layers(ref)
    tars = tarballs(engine, steps_image)
    assert len(found.layers) == len(tars) == 5
    assert [layer.diff_id for layer in found.layers] == engine.images.get(steps_image).attrs["RootFS"][
        "Layers"
    ]
    base, added, overwritten, deleted, replaced = found.layers
    assert all(line.startswith("A ") for line in lines(base))
    assert {"A /f", "A /d", "A /d/a"} <= set(lines(added))
    assert "C /f" in lines(overwritten) and "A /f" not in lines(overwritten)
    assert "D /f" in lines(deleted) and "/.wh.f" in tars[3]  # a whiteout in the tarball
    assert deleted.changes[[c.path for c in deleted.changes].index("/f")].marker == "whiteout"
    replaced_lines = lines(replaced)
    assert "D /d/a" in replaced_lines and "A /d/b" in replaced_lines  # the old file is gone
    assert "RUN echo two" in overwritten.created_by or "echo two > /f" in overwritten.created_by
    # Every path a layer's tarball holds is in its listing (markers as the deletions they are).
    for layer, tar in zip(found.layers, tars, strict=True):
        shown = {c.path for c in layer.changes}
        for path in tar:
            name = path.rsplit("/", 1)[-1]
            if path == "/" or name == ".wh..wh..opq":
                continue
            target = path.replace("/.wh.", "/") if name.startswith(".wh.") else path
            assert target in shown, (layer.index, path)
    # dive counts /f three times (4 + 4 + 0 bytes): all of it is waste. The replaced folder
    # is an opaque marker on the classic store (dive does not count it) and a whiteout of
    # /d/a from the containerd snapshotter (its 4 bytes then count twice, as dive counts them).
    wasted = [(w.path, w.copies, w.size) for w in found.efficiency.wasted]
    if "/d/.wh..wh..opq" in tars[4]:
        assert wasted == [("/f", 3, 8)]
    else:
        assert "/d/.wh.a" in tars[4] and wasted == [("/f", 3, 8), ("/d/a", 2, 4)]
    again = await sandbox.images.layers(ref)
    assert again is found  # cached by image ID


async def test_the_figures_dive_gives_for_the_test_image(sandbox: Sandbox) -> None:
    """dive 0.13.1 on layerlab-test/layered, on each engine (docs/design/layer-explorer.md):
    efficiency 99.9998 %, 310 bytes wasted (/etc/motd, twice)."""
    found = await sandbox.images.layers(ImageRef(shown=LAYERED, engine_ref=LAYERED, own=False))
    assert found.efficiency.wasted_bytes == 310
    assert round(100 * found.efficiency.score, 4) == 99.9998
    assert found.efficiency.wasted[0].path == "/etc/motd" and found.efficiency.wasted[0].copies == 2
    assert found.base_layers == 1  # its base, the course's Debian image, is one layer


async def test_a_save_that_breaks_off_is_a_clear_error(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's stream ends in the middle of a layer (an engine restarted, a full
    disk): the student reads why, and nothing half-read is cached."""
    api = sandbox.images.client.api
    real = api.get_image

    def broken(image: str, chunk_size: int = 2097152) -> Iterator[bytes]:
        whole = b"".join(real(image, chunk_size=chunk_size))
        yield whole[: len(whole) // 2]

    monkeypatch.setattr(api, "get_image", broken)
    ref = ImageRef(shown=BUSYBOX, engine_ref=BUSYBOX, own=False)
    with pytest.raises(UserError) as raised:
        await sandbox.images.layers(ref)
    assert raised.value.key == "layers.unreadable" and raised.value.params["reason"]
    monkeypatch.setattr(api, "get_image", real)
    found = await sandbox.images.layers(ref)  # read whole now: not the broken one from a cache
    assert found.layers and found.layers[0].changes
