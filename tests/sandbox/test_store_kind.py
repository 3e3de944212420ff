from bot.sandbox.host import image_store


def test_classic_overlay2_engine() -> None:
    info = {
        "Driver": "overlay2",
        "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"]],
    }
    assert image_store(info) == "classic"


def test_containerd_image_store_engine() -> None:
    # What `docker info` reports on Docker 29 with the containerd image store (the default on new installs).
    info = {"Driver": "overlayfs", "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}
    assert image_store(info) == "containerd"
