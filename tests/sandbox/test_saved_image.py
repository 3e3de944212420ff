"""Reading layers from a ``docker save`` stream (pure code, archives built here in
both layouts; the engine tests read real saves of every engine of the matrix)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

import pytest

from bot.sandbox.layer_diff import (
    Efficiency,
    ImageLayers,
    LayerView,
    WastedFile,
    changes_per_layer,
    efficiency,
    whence,
)
from bot.sandbox.saved_image import (
    ChunkReader,
    LayerListing,
    SaveFormatError,
    TarEntry,
    entry_path,
    read_save,
)


def layer_tar(files: dict[str, bytes | None]) -> bytes:
    """A layer tar: path -> content, None for a folder."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def archive(members: list[tuple[str, bytes | str]]) -> list[bytes]:
    """An outer archive as chunks (bytes: a file; str: a symbolic link to that name)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if isinstance(data, str):
                info.type, info.linkname = tarfile.SYMTYPE, data
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    raw = out.getvalue()
    return [raw[i : i + 1000] for i in range(0, len(raw), 1000)]  # a stream, in chunks


BASE = layer_tar({"etc/": None, "etc/motd": b"hello\n", "./.bashrc": b"x"})
TOP = layer_tar({"etc/": None, "etc/.wh.motd": b"", "opt/": None, "opt/app": b"12345"})
CONFIG = {
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "a" * 64, "sha256:" + "b" * 64]},
    "history": [
        {"created_by": "ADD file:abc in /"},
        {"created_by": "ENV X=1", "empty_layer": True},
        {"created_by": "RUN rm /etc/motd", "comment": "buildkit.dockerfile.v0"},
    ],
}


def test_the_classic_layout_manifest_last() -> None:
    config = json.dumps(CONFIG).encode()
    manifest = json.dumps([{"Config": "cfg.json", "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode()
    saved = read_save(
        archive(
            [("l1/layer.tar", BASE), ("l2/layer.tar", TOP), ("cfg.json", config), ("manifest.json", manifest)]
        )
    )
    assert saved.diff_ids == ("sha256:" + "a" * 64, "sha256:" + "b" * 64)
    base, top = saved.layers
    assert [(e.path, e.kind, e.size) for e in base.entries] == [
        ("/etc", "dir", 0),
        ("/etc/motd", "file", 6),
        ("/.bashrc", "file", 1),
    ]
    assert base.size == 7 and top.size == 5
    assert [e.path for e in top.entries] == ["/etc", "/etc/.wh.motd", "/opt", "/opt/app"]
    assert saved.steps_of_layers() == ["ADD file:abc in /", "RUN rm /etc/motd"]


def test_the_oci_layout_compressed_blobs_and_a_linked_layer() -> None:
    """Docker 25+ and the containerd store: blobs by digest, perhaps gzip, manifest first."""
    blobs = {
        "base": gzip.compress(BASE),  # compressed, as the containerd store keeps layers
        "top": TOP,
    }
    digests = {k: hashlib.sha256(v).hexdigest() for k, v in blobs.items()}
    config = json.dumps(CONFIG).encode()
    config_digest = hashlib.sha256(config).hexdigest()
    manifest = json.dumps(
        [
            {
                "Config": f"blobs/sha256/{config_digest}",
                "Layers": [f"blobs/sha256/{digests['base']}", "blobs/sha256/linked"],
            }
        ]
    ).encode()
    saved = read_save(
        archive(
            [
                ("manifest.json", manifest),
                ("index.json", b'{"schemaVersion": 2, "manifests": []}'),
                (f"blobs/sha256/{config_digest}", config),
                (f"blobs/sha256/{digests['base']}", blobs["base"]),
                (f"blobs/sha256/{digests['top']}", blobs["top"]),
                ("blobs/sha256/linked", digests["top"]),  # a symbolic link in the same folder
            ]
        )
    )
    assert [len(layer.entries) for layer in saved.layers] == [3, 4]
    assert saved.layers[1].entries[3].path == "/opt/app"


def test_archives_that_are_not_a_save_are_refused() -> None:
    with pytest.raises(SaveFormatError, match="manifest"):
        read_save(archive([("hello.txt", b"hi")]))
    manifest = json.dumps([{"Config": "cfg.json", "Layers": ["gone/layer.tar"]}]).encode()
    with pytest.raises(SaveFormatError, match="not in the archive"):
        read_save(archive([("cfg.json", json.dumps(CONFIG).encode()), ("manifest.json", manifest)]))


def test_paths_and_the_chunk_reader() -> None:
    assert entry_path("./etc/") == "/etc" and entry_path("./") == "/" and entry_path(".bashrc") == "/.bashrc"
    reader = ChunkReader([b"ab", b"cde", b"", b"f"])
    assert reader.read(3) == b"abc" and reader.read(-1) == b"def" and reader.read(1) == b""


def listing(entries: list[tuple[str, str, int]]) -> LayerListing:
    found = LayerListing()
    for path, kind, size in entries:
        found.entries.append(TarEntry(path, kind, size))
        found.size += size
    return found


#: The worked example of docs/design/layer-explorer.md (checked there with dive 0.13.1).
ADDED = listing([("/app", "dir", 0), ("/app/data.bin", "file", 1000), ("/app/keep.txt", "file", 1000)])
GROWN = listing([("/app", "dir", 0), ("/app/data.bin", "file", 3000)])
DELETED = listing([("/app", "dir", 0), ("/app/.wh.data.bin", "file", 0)])


def test_efficiency_is_dives() -> None:
    found = efficiency((ADDED, GROWN, DELETED))
    assert found.score == pytest.approx(0.2) and found.wasted_bytes == 4000
    assert found.wasted == (WastedFile("/app/data.bin", 3, 4000),)
    # dive's other cases: a folder deleted whole, an opaque folder, the same file twice.
    folder = listing([("/data", "dir", 0), ("/data/a.bin", "file", 4000), ("/data/b.bin", "file", 1000)])
    gone = listing([("/.wh.data", "file", 0)])
    assert efficiency((folder, gone)) == Efficiency(1.0, 0, ())
    cfg = listing([("/cfg", "dir", 0), ("/cfg/x", "file", 500)])
    opaque = listing([("/cfg", "dir", 0), ("/cfg/.wh..wh..opq", "file", 0), ("/cfg/y", "file", 300)])
    assert efficiency((cfg, opaque)).score == 1.0
    twice = listing([("/etc", "dir", 0), ("/etc/conf", "file", 2000)])
    assert efficiency((twice, twice)) == Efficiency(0.5, 4000, (WastedFile("/etc/conf", 2, 4000),))


def test_changes_per_layer_as_docker_diff_writes_them() -> None:
    layers = changes_per_layer((ADDED, GROWN, DELETED))
    assert [[(c.kind.letter, c.path) for c in layer] for layer in layers] == [
        [("A", "/app"), ("A", "/app/data.bin"), ("A", "/app/keep.txt")],
        [("C", "/app"), ("C", "/app/data.bin")],
        [("C", "/app"), ("D", "/app/data.bin")],
    ]
    assert layers[2][1].size == 3000 and layers[2][1].marker == "whiteout"
    cfg = listing(
        [("/cfg", "dir", 0), ("/cfg/x", "file", 500), ("/cfg/sub", "dir", 0), ("/cfg/sub/z", "file", 1)]
    )
    opaque = listing([("/cfg", "dir", 0), ("/cfg/.wh..wh..opq", "file", 0), ("/cfg/y", "file", 300)])
    top = changes_per_layer((cfg, opaque))[1]
    assert [(c.kind.letter, c.path, c.size, c.marker) for c in top] == [
        ("C", "/cfg", 0, ""),
        ("D", "/cfg/sub", 1, "opaque"),
        ("D", "/cfg/x", 500, "opaque"),
        ("A", "/cfg/y", 300, ""),
    ]


def test_whence_follows_a_path_through_the_layers() -> None:
    folder_gone = listing([("/.wh.app", "file", 0)])
    layers = (ADDED, GROWN, DELETED, folder_gone)
    per_layer = changes_per_layer(layers)
    found = ImageLayers(
        image_id="sha256:x",
        layers=tuple(
            LayerView(i, f"sha256:{i}", layer.size, f"step {i}", tuple(per_layer[i]))
            for i, layer in enumerate(layers)
        ),
        efficiency=efficiency(layers),
    )
    events = whence(found, "/app/data.bin")
    assert [(e.layer, e.kind.letter, e.path, e.size) for e in events] == [
        (0, "A", "/app/data.bin", 1000),
        (1, "C", "/app/data.bin", 3000),
        (2, "D", "/app/data.bin", 3000),
    ]
    kept = whence(found, "/app/keep.txt")
    assert [(e.layer, e.kind.letter, e.path) for e in kept] == [(0, "A", "/app/keep.txt"), (3, "D", "/app")]
    assert whence(found, "/nothing") == []
