"""Commit, ownership, quota and removal of students' images, on the real engine."""

from __future__ import annotations

import docker
import pytest

from bot.errors import BadName, ImageNotAllowed, NotFound, QuotaExceeded, UserError
from bot.render import cli
from bot.render.terminal import terminal_text
from bot.sandbox.labels import GUILD as LABEL_GUILD
from bot.sandbox.labels import NAME as LABEL_NAME
from bot.sandbox.labels import OWNER as LABEL_OWNER
from bot.sandbox.labels import PURPOSE as LABEL_PURPOSE
from bot.sandbox.sandbox import Sandbox
from tests.conftest import DEBIAN
from tests.sandbox.conftest import OTHER, OWNER, make_sandbox


async def test_commit_adds_one_layer_owned_by_the_student(
    sandbox: Sandbox, engine: docker.DockerClient
) -> None:
    base = await sandbox.policy.resolve(OWNER, DEBIAN)
    base_history = await sandbox.images.history(base)
    result = await sandbox.images.commit(OWNER, "myubuntu", base, "echo Hallo > /tmp/testfile")
    assert result.image.shown == "myubuntu:latest"
    assert len(result.history) == len(base_history) + 1
    top = result.history[0]
    assert top.id == result.image_id
    assert top.created_by == "/bin/sh -c echo Hallo > /tmp/testfile"
    assert cli.diff(result.run.changes) == "C /tmp\nA /tmp/testfile\n"

    labels = engine.images.get(result.image.engine_ref).labels
    assert labels[LABEL_OWNER] == str(OWNER.user_id)
    assert labels[LABEL_GUILD] == str(OWNER.guild_id)
    assert labels[LABEL_PURPOSE] == "image"
    assert labels[LABEL_NAME] == "myubuntu:latest"

    # The student's own image now works as a starting point; the file is in it.
    mine = await sandbox.policy.resolve(OWNER, "myubuntu")
    assert mine.own
    run = await sandbox.runner.run(OWNER, mine, "cat /tmp/testfile")
    assert terminal_text(run.output) == "Hallo\n"
    assert run.changes == ()


async def test_images_are_private_to_their_owner(sandbox: Sandbox) -> None:
    base = await sandbox.policy.resolve(OWNER, DEBIAN)
    await sandbox.images.commit(OWNER, "myubuntu", base, "touch /mine")
    await sandbox.images.commit(OTHER, "myubuntu", base, "touch /theirs")
    mine = await sandbox.runner.run(
        OWNER, await sandbox.policy.resolve(OWNER, "myubuntu"), "ls /mine /theirs"
    )
    theirs = await sandbox.runner.run(
        OTHER, await sandbox.policy.resolve(OTHER, "myubuntu"), "ls /mine /theirs"
    )
    assert "/mine" in terminal_text(mine.output) and "No such file" in terminal_text(mine.output)
    assert "/theirs" in terminal_text(theirs.output) and "No such file" in terminal_text(theirs.output)
    overview = await sandbox.images.overview(OTHER)
    assert [(i.repository, i.tag) for i in overview.own] == [("myubuntu", "latest")]
    await sandbox.images.remove(OTHER, "myubuntu")
    with pytest.raises(ImageNotAllowed):
        await sandbox.policy.resolve(OTHER, "myubuntu")
    assert (await sandbox.policy.resolve(OWNER, "myubuntu")).own  # the other one's removal left mine alone


async def test_quota_and_replacing_a_name(sandbox: Sandbox, engine: docker.DockerClient) -> None:
    base = await sandbox.policy.resolve(OWNER, DEBIAN)
    for name in ("one", "two", "three"):
        await sandbox.images.commit(OWNER, name, base, "true")
    with pytest.raises(QuotaExceeded) as caught:
        await sandbox.images.commit(OWNER, "four", base, "true")
    assert caught.value.params["quota"] == 3
    first = engine.images.get((await sandbox.policy.resolve(OWNER, "one")).engine_ref).id
    replaced = await sandbox.images.commit(OWNER, "one", base, "touch /v2")
    assert replaced.replaced_id == first
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(first)  # the untagged old image was removed, not left dangling


async def test_bad_names_and_removal(sandbox: Sandbox) -> None:
    base = await sandbox.policy.resolve(OWNER, DEBIAN)
    for bad, key in (
        ("MyUbuntu", "name.uppercase"),
        ("../x", "name.own_invalid"),
        ("a" * 300, "name.too_long"),
    ):
        with pytest.raises(BadName) as caught:
            await sandbox.images.commit(OWNER, bad, base, "true")
        assert caught.value.key == key
    offering_ubuntu = make_sandbox(base_images=[DEBIAN, "ubuntu:latest"])
    try:
        with pytest.raises(BadName) as caught:  # would shadow the base image "ubuntu"
            await offering_ubuntu.images.commit(OWNER, "ubuntu", base, "true")
        assert caught.value.key == "name.is_base"
    finally:
        await offering_ubuntu.close()
    with pytest.raises(NotFound):
        await sandbox.images.remove(OWNER, "nothing")
    await sandbox.images.commit(OWNER, "gone", base, "true")
    removed = await sandbox.images.remove(OWNER, "gone")
    assert removed.lines[0] == ("Untagged", "gone:latest")
    assert any(kind == "Deleted" for kind, _ in removed.lines)


async def test_a_too_big_layer_is_not_committed(sandbox: Sandbox) -> None:
    base = await sandbox.policy.resolve(OWNER, DEBIAN)
    with pytest.raises(UserError) as caught:
        await sandbox.images.commit(
            OWNER, "big", base, "for i in 1 2 3 4; do head -c 15000000 /dev/zero > /f$i; done"
        )
    assert caught.value.key == "error.layer_too_big"
    assert not (await sandbox.images.overview(OWNER)).own


async def test_missing_rows_in_history(sandbox: Sandbox) -> None:
    shipped = await sandbox.policy.resolve(OWNER, "layerlab-test/shipped")
    entries = await sandbox.images.history(shipped)
    assert entries[0].id.startswith("sha256:")
    assert [e.id for e in entries[1:]] == ["<missing>"] * (len(entries) - 1)
