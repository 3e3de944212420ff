"""Settings that change how the bot answers, and an engine that goes away."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import docker
import pytest

from fakediscord import FakeDiscord
from fakediscord.limits import EPHEMERAL
from tests.bot.test_demos import callbacks, code
from tests.conftest import DEBIAN, STUDENT, Harness, make_settings, running_bot
from tests.support.proxy import SocketProxy


async def test_public_results_answer_in_the_channel(engine: docker.DockerClient, tmp_path: Path) -> None:
    async with running_bot(make_settings(tmp_path, public_results=True)) as harness:
        it = await harness.run("diff")
        assert callbacks(it)[0]["type"] == 5
        assert not callbacks(it)[0].get("data", {}).get("flags", 0) & EPHEMERAL
        message = harness.message(it)
        assert "A /tmp/testfile" in code(message)
        assert message["components"] == []  # nothing to share: everyone sees it already
        refused = await harness.run("history", image="nope")
        # A refusal stays private: the public "thinking" message is removed, the answer is ephemeral.
        assert [r.kind for r in refused.responses] == ["callback", "delete", "followup"]
        followup = refused.responses[-1].payload
        assert followup["flags"] & EPHEMERAL and "wordt niet aangeboden" in followup["content"]


async def test_engine_down_and_back_without_a_restart(engine: docker.DockerClient, tmp_path: Path) -> None:
    proxy = SocketProxy(tmp_path / "engine.sock")
    await proxy.start()
    async with running_bot(make_settings(tmp_path, docker_host=f"unix://{proxy.path}")) as harness:
        assert "A /tmp/testfile" in code(harness.message(await harness.run("diff")))
        await proxy.stop()
        for command in ("diff", "images", "info"):
            down = await harness.run(command)
            assert "antwoordt nu niet" in harness.message(down)["content"], command
        english = await harness.run("history", image=DEBIAN, locale="en-US")
        assert "does not answer right now" in harness.message(english)["content"]
        await proxy.start()
        back = await harness.run("diff")
        assert "A /tmp/testfile" in code(harness.message(back))
        runs = await harness.built.repos.runs.recent(harness.fake.guild_id, STUDENT.id, limit=10)
        assert "refused:error.engine_down" in {r.outcome for r in runs}
    await proxy.stop()


async def test_a_network_the_engine_lacks_is_named_and_nothing_is_left(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    """LAYERLAB_SANDBOX_NETWORK set to a network the engine does not have: the student
    reads that the lab host is not set up right (the engine only says so at start), for
    a one-shot, with the warm pool on, and for the lab container; no container that
    could not start is left, and the warm pool holds none."""
    mine = {"label": "org.layerlab.purpose"}
    before = {c.id for c in engine.containers.list(all=True, filters=mine)}
    settings = make_settings(tmp_path, sandbox_network="layerlab-no-such-network", warm_pool=1)
    async with running_bot(settings) as harness:
        for command, options in (("diff", {"command": "true"}), ("lab run", {"command": "true"})):
            text = harness.text(await harness.run(command, **options))
            assert "De labhost is niet goed ingesteld" in text and "`layerlab-no-such-network`" in text, text
            assert "Fout-id" not in text
        assert not any(harness.built.fleet.engines[0].sandbox.warm.idle().values())
    assert {c.id for c in engine.containers.list(all=True, filters=mine)} <= before


async def test_the_seed_exercise_install_ping_and_commit(apt_network: str, tmp_path: Path) -> None:
    """OEFENING: apt update && apt -y install iputils-ping, commit to myubuntu, ping works there
    (apt from the local Debian mirror, on a network with no way out)."""
    settings = make_settings(
        tmp_path,
        sandbox_network=apt_network,
        sandbox_timeout=240.0,
        sandbox_memory_mb=512,
        sandbox_writable_mb=512,
        sandbox_file_size_mb=256,
    )
    async with running_bot(settings) as harness:
        before = await harness.run("diff", command="command -v ping || echo no ping here")
        assert "no ping here" in code(harness.message(before))

        it = await harness.run(
            "commit", name="myubuntu", command="apt update && apt -y install iputils-ping", timeout=300
        )
        message = harness.message(it)
        whole = harness.files(it).get("commit.txt", b"").decode() or code(message)
        assert "Setting up iputils-ping" in whole
        assert "A /usr/bin/ping" in whole or "A /bin/ping" in whole
        assert re.search(r"\$ docker commit \w+ myubuntu:latest", code(message))
        # CREATED BY, cut at 45 columns as the CLI does
        assert "/bin/sh -c apt update && apt -y install iput…" in message["embeds"][0]["description"]

        ping = await harness.run("diff", image="myubuntu", command="ping -c 1 127.0.0.1")
        shown = code(harness.message(ping))
        assert "1 packets transmitted, 1 received" in shown
        fields = {f["name"]: f["value"] for f in harness.message(ping)["embeds"][0]["fields"]}
        assert fields["Exitcode"] == "0"
        await harness.run("rmi", name="myubuntu")


async def test_sync_sends_localized_commands(engine: docker.DockerClient, tmp_path: Path) -> None:
    async with running_bot(make_settings(tmp_path)) as harness:
        synced = await harness.bot.sync_guilds([harness.fake.guild_id])
        assert {c.name for c in synced} >= {"diff", "history", "commit", "images", "rmi", "info"}
        payload = harness.fake.synced_commands[str(harness.fake.guild_id)]
        diff = next(c for c in payload if c["name"] == "diff")
        assert diff["description_localizations"]["nl"].startswith("Voer een commando uit")
        assert diff["description_localizations"]["en-US"] == diff["description"]
        option = next(o for o in diff["options"] if o["name"] == "command")
        assert "standaard" in option["description_localizations"]["nl"]


async def test_image_autocomplete_offers_own_and_base_images(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    async with running_bot(make_settings(tmp_path)) as harness:
        await harness.run("commit", name="mine", command="true")
        choices = await harness.autocomplete("history", "image", "")
        assert choices[0] == "mine:latest"
        assert DEBIAN in choices
        assert await harness.autocomplete("diff", "image", "busy") == ["layerlab-test/busybox:latest"]
        await harness.run("rmi", name="mine")


async def test_an_unexpected_failure_shows_an_error_id_that_is_in_the_log(
    tmp_path: Path, engine: docker.DockerClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(make_settings(tmp_path)) as harness:

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the engine said something odd")

        harness.bot.demos.info = broken  # type: ignore[method-assign]
        it = await harness.run("info")
        content = harness.message(it)["content"]
        match = re.search(r"Fout-id `([0-9a-f]{8})`", content)
        assert match, content
        assert any(match.group(1) in r.getMessage() and r.exc_info for r in caplog.records)
        assert "the engine said something odd" not in content  # details stay in the log


async def test_empty_and_overlong_commands_are_refused(harness: Harness) -> None:
    empty = await harness.run("diff", command="   ")
    assert "Geef een commando" in harness.message(empty)["content"]
    long = await harness.run("diff", command="echo " + "x" * 2100, locale="en-US")
    assert "too long: at most 2000 characters" in harness.message(long)["content"]


async def test_sync_from_the_command_line_logs_in_without_the_gateway(
    engine: docker.DockerClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import _sync

    fake = FakeDiscord()
    await fake.start()
    try:
        settings = make_settings(tmp_path, guild_ids=[fake.guild_id])
        await _sync(settings, "token-for-sync", [fake.guild_id])
        assert {c["name"] for c in fake.synced_commands[str(fake.guild_id)]} >= {"diff", "history", "commit"}
        assert not fake.identified.is_set()  # no gateway session was opened
        top = len({c["name"] for c in fake.synced_commands[str(fake.guild_id)]})
        assert f"Synced {top} command(s) to [{fake.guild_id}]" in capsys.readouterr().out
    finally:
        await fake.stop()


async def test_housekeeping_survives_an_error(
    engine: docker.DockerClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected error in one round of housekeeping is logged; the loop is not ended."""
    async with running_bot(make_settings(tmp_path)) as harness:

        async def broken(now: object = None) -> tuple[int, int]:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(harness.built.labs, "tick", broken)
        await harness.bot.janitor()  # one round, as the loop runs it
        assert "Housekeeping failed" in caplog.text and "disk on fire" in caplog.text
        assert harness.bot.janitor.is_running() and not harness.bot.janitor.failed()


async def test_a_lab_host_below_its_disk_floor_refuses_work_and_says_so(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    from tests.bot.test_lab import TEACHER

    settings = make_settings(tmp_path, min_free_mb=1024 * 1024 * 1024)  # a floor no disk reaches
    async with running_bot(settings) as harness:
        refused = await harness.run("diff", locale="en-US")
        assert "The lab host's disk is almost full" in harness.message(refused)["content"]
        assert "Nothing of yours is lost" in harness.message(refused)["content"]
        runs = await harness.built.repos.runs.recent(harness.fake.guild_id, STUDENT.id, limit=1)
        assert runs[0].outcome == "refused:error.disk_low"
        status = await harness.run("admin status", user=TEACHER, locale="en-US")
        table = code(harness.message(status))
        header, row = table.splitlines()[:2]
        assert header.split()[-4:] == ["FREE", "INODES", "FREE", "WARM"]
        assert re.search(r"\d+(\.\d+)?[kMGT]B\s+\d+(\.\d+)?[kMG]?\s+-$", row), row  # no pool
        assert "Below the floor of free disk space" in harness.text(status)


async def test_with_a_warm_pool_diff_runs_in_a_warm_container(
    engine: docker.DockerClient, tmp_path: Path
) -> None:
    """The pool through the bot: /admin status shows it full, /diff takes a warm
    container (and shows what it changed), the pool fills again, and a stopped bot
    leaves no warm container behind."""
    from tests.bot.test_lab import TEACHER
    from tests.conftest import BUSYBOX
    from tests.sandbox.conftest import WARM

    settings = make_settings(tmp_path, base_images=[BUSYBOX], default_image=BUSYBOX, warm_pool=2)
    before = {c.id for c in engine.containers.list(all=True, filters=WARM)}
    async with running_bot(settings) as harness:
        pool = harness.built.fleet.engines[0].sandbox.warm
        for _ in range(200):
            if pool.idle() == {BUSYBOX: 2}:
                break
            await asyncio.sleep(0.05)
        status = await harness.run("admin status", user=TEACHER, locale="en-US")
        assert code(harness.message(status)).splitlines()[1].split()[-1] == "2/2"
        warm_ids = {w.id for w in pool._idle[BUSYBOX]}

        done = await harness.run("diff", command="mkdir /made && echo hi > /made/f && rm /bin/ls")
        run_line, diff_line, *changed = code(harness.message(done)).splitlines()
        assert run_line.startswith(f"$ docker run -t {BUSYBOX} /bin/sh -c 'mkdir /made")
        names = {engine.containers.get(i).name for i in warm_ids}
        assert diff_line.removeprefix("$ docker diff ") in names  # one of the warm ones, by its name
        name = diff_line.removeprefix("$ docker diff ")
        assert changed[-2:] == [f"$ docker rm {name}", name]
        assert sorted(changed[:-2]) == ["A /made", "A /made/f", "C /bin", "D /bin/ls"]
        assert pool.idle()[BUSYBOX] == 1  # one was taken
        await pool.settled()
        used = warm_ids - {w.id for w in pool._idle[BUSYBOX]}
        assert len(used) == 1  # the one that ran the command: removed
        assert not used & {c.id for c in engine.containers.list(all=True, filters=WARM)}
    assert {c.id for c in engine.containers.list(all=True, filters=WARM)} <= before
