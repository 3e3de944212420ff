"""A registry on loopback with one image, for the tests of pulling (`layerlab images prepare`).

No registry is reachable from the tests, and they may send traffic only to loopback
or their own containers. This one speaks the part of the registry API (v2) that a
pull uses: ``/v2/``, a manifest by tag and blobs by digest. The image is one the
engine has (``docker save``), its layers gzipped as a registry would serve them.
An engine pulls from localhost over plain HTTP without being told.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import docker

MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _image(engine: docker.DockerClient, ref: str) -> tuple[bytes, dict[str, bytes]]:
    """A manifest as a registry serves it, and its blobs by digest: the image ``ref``
    with one small layer more."""
    saved = b"".join(engine.api.get_image(ref))
    with tarfile.open(fileobj=io.BytesIO(saved)) as tar:

        def read(name: str) -> bytes:
            member = tar.extractfile(name)
            assert member is not None, name
            return member.read()

        (entry,) = json.loads(read("manifest.json"))
        config = json.loads(read(entry["Config"]))
        layers = [read(name) for name in entry["Layers"]]
    # One layer more, which the engine cannot have yet: a real pull fetches it.
    layers.append(_layer("pulled-from-the-test-registry", b"hello from the registry\n"))
    config["rootfs"]["diff_ids"].append(_digest(layers[-1]))
    config["history"] = [*config.get("history", []), {"created_by": "the test registry's own layer"}]
    raw_config = json.dumps(config).encode()
    blobs = {_digest(raw_config): raw_config}
    described = []
    for layer in layers:
        packed = gzip.compress(layer, mtime=0)
        blobs[_digest(packed)] = packed
        described.append(
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": len(packed),
                "digest": _digest(packed),
            }
        )
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": len(raw_config),
            "digest": _digest(raw_config),
        },
        "layers": described,
    }
    return json.dumps(manifest).encode(), blobs


def _layer(name: str, content: bytes) -> bytes:
    """A layer tarball holding one file."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(content), 0o644
        tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


@contextmanager
def registry(engine: docker.DockerClient, source: str, repository: str) -> Iterator[tuple[str, list[str]]]:
    """Serve ``source`` (an image the engine has) as ``<address>/<repository>:latest``;
    yields the reference and, as it goes, the paths asked for."""
    manifest, blobs = _image(engine, source)
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_HEAD(self) -> None:
            self.answer(body=False)

        def do_GET(self) -> None:
            self.answer(body=True)

        def answer(self, *, body: bool) -> None:
            asked.append(self.path)
            data, kind = b"{}", "application/json"
            if self.path == f"/v2/{repository}/manifests/latest" or self.path.endswith(_digest(manifest)):
                data, kind = manifest, MANIFEST
            elif self.path.startswith(f"/v2/{repository}/blobs/") and self.path.rsplit("/", 1)[1] in blobs:
                data, kind = blobs[self.path.rsplit("/", 1)[1]], "application/octet-stream"
            elif self.path != "/v2/":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Docker-Content-Digest", _digest(data))
            self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            self.end_headers()
            if body:
                self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # "localhost": the name both stores pull from over HTTP (the containerd store
        # tries TLS with 127.0.0.1, and does not fall back).
        yield f"localhost:{server.server_address[1]}/{repository}:latest", asked
    finally:
        server.shutdown()
        server.server_close()
