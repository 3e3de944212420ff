"""Lab replies for the containerd image store (Docker 29's default), from the data
such an engine gives (recorded from dockerd 28.5 with containerd-snapshotter), and
the mount table the bot reads there."""

from datetime import UTC, datetime

from bot.i18n import Catalog
from bot.sandbox.host import parse_root_overlay
from bot.sandbox.models import ContainerRow, HostView, StorageView
from bot.ui.lab_replies import host_reply, inspect_reply

SNAPSHOTS = "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots"
#: The `/` line of /proc/self/mountinfo in a container on that engine.
CONTAINERD_ROOT = (
    f"46 61 0:42 / / rw,relatime master:4 - overlay overlay rw,lowerdir={SNAPSHOTS}/43/fs:{SNAPSHOTS}/1/fs,"
    f"upperdir={SNAPSHOTS}/44/fs,workdir={SNAPSHOTS}/44/work"
)
#: The same on the classic store: the lower layers by their short links.
CLASSIC_ROOT = (
    "117 67 0:51 / / rw,relatime master:4 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/JVFYSJOC:"
    "/var/lib/docker/overlay2/l/XOJTEIUB,upperdir=/var/lib/docker/overlay2/4555/diff,"
    "workdir=/var/lib/docker/overlay2/4555/work"
)
OTHER_LINES = (
    "47 46 0:45 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "52 46 0:47 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k\n"
)
ROW = ContainerRow(
    id="a" * 64,
    image="debian:bookworm",
    command="bash",
    created=datetime.now(UTC),
    status="Up 1 second",
    state="running",
    names="tender_spence",
)


def test_the_root_overlay_is_read_from_the_mount_table() -> None:
    mount = parse_root_overlay(OTHER_LINES + CONTAINERD_ROOT + "\n")
    assert mount is not None
    assert mount.lower_dirs == (f"{SNAPSHOTS}/43/fs", f"{SNAPSHOTS}/1/fs")
    assert (mount.upper_dir, mount.work_dir) == (f"{SNAPSHOTS}/44/fs", f"{SNAPSHOTS}/44/work")
    classic = parse_root_overlay(CLASSIC_ROOT)
    assert classic is not None and classic.upper_dir == "/var/lib/docker/overlay2/4555/diff"
    assert parse_root_overlay(OTHER_LINES) is None  # no overlay on /
    # A path the bot would pass to a helper's bind mount must be plain: no tricks.
    assert parse_root_overlay(CONTAINERD_ROOT.replace("/44/fs", "/44/../57/fs")) is None
    assert parse_root_overlay(CONTAINERD_ROOT.replace("/44/fs", "/44/f\\040s")) is None


def test_inspect_on_the_containerd_store_shows_the_labelled_layers() -> None:
    mount = parse_root_overlay(CONTAINERD_ROOT)
    view = StorageView(
        image_store="containerd",
        graph_driver={"Data": None, "Name": "overlayfs"},
        mount=mount,
        merged_dir=f"/var/lib/docker/rootfs/overlayfs/{'a' * 64}",
        image_layers=1,
    )
    reply = inspect_reply(Catalog.load("nl"), "en", ROW, view)
    lines = reply.content.splitlines()
    assert '{"Data":null,"Name":"overlayfs"}' in lines
    assert f"LowerDir:  (-init) {SNAPSHOTS}/43/fs" in lines
    assert f"           (image) {SNAPSHOTS}/1/fs" in lines
    assert f"UpperDir:          {SNAPSHOTS}/44/fs" in lines
    assert f"MergedDir:         /var/lib/docker/rootfs/overlayfs/{'a' * 64}" in lines
    description = reply.embeds[0].description or ""
    assert "containerd image store" in description and "/proc/self/mountinfo" in description
    # Lowers that do not add up to the image's layers plus -init are shown unlabelled.
    unsure = inspect_reply(Catalog.load("nl"), "en", ROW, StorageView("containerd", None, mount=mount))
    assert f"LowerDir:  {SNAPSHOTS}/43/fs" in unsure.content.splitlines()


def test_host_on_the_containerd_store_names_the_snapshot() -> None:
    view = HostView(
        image_store="containerd",
        upper_dir=f"{SNAPSHOTS}/44/fs",
        files=("/tmp", "/tmp/testfile"),
        whiteouts=("/etc/debian_version",),
        snapshot="44",
    )
    for lang in ("nl", "en"):
        reply = host_reply(Catalog.load("nl"), lang, ROW, view)
        lines = reply.content.splitlines()
        assert f"upperdir={SNAPSHOTS}/44/fs" in lines and f"{SNAPSHOTS}/44/fs/tmp/testfile" in lines
        description = reply.embeds[0].description or ""
        assert "**44**" in description and "`/etc/debian_version`" in description


def test_no_picture_when_the_engine_names_no_folders() -> None:
    from bot.ui.lab_replies import container_folders

    t = Catalog.load()
    assert container_folders(t, "en", StorageView("classic", {"Data": None, "Name": "overlay2"})) == []
    assert container_folders(t, "en", StorageView("containerd", {"Data": None, "Name": "overlayfs"})) == []
