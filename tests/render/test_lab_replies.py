"""Replies for engines we cannot start here: the containerd image store (Docker 29+)."""

from datetime import UTC, datetime

from bot.i18n import Catalog
from bot.sandbox.models import ContainerRow, StorageView
from bot.ui.lab_replies import inspect_reply


def test_inspect_on_the_containerd_store_says_so_and_shows_what_there_is() -> None:
    row = ContainerRow(
        id="a" * 64,
        image="ubuntu:latest",
        command="bash",
        created=datetime.now(UTC),
        status="Up 1 second",
        state="running",
        names="tender_spence",
    )
    # What Docker 29 with the containerd image store reports instead of overlay2 directories.
    view = StorageView(
        image_store="containerd",
        graph_driver={"Data": None, "Name": "overlayfs"},
        storage={"RootFS": {"Snapshot": {"Name": "overlayfs"}}},
    )
    reply = inspect_reply(Catalog.load("nl"), "en", row, view)
    assert '"Snapshot": {' in reply.content and '"Name": "overlayfs"' in reply.content
    description = reply.embeds[0].description or ""
    assert "containerd image store" in description
    assert "no overlay2 LowerDir or UpperDir" in description
