"""Messages for the /lab commands and the teacher's /admin view of them."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import datetime

import discord

from bot.i18n import Catalog
from bot.render import cli, pictures
from bot.render.table import table
from bot.render.units import since, truncate_id
from bot.sandbox.limits import STOP_TIMEOUT, Limits
from bot.sandbox.models import Change, CommitResult, ContainerRow, HostView, ImageRef, StorageView
from bot.services.labs import ClassLabs, LabRun, LabStatus, Reaped
from bot.ui.replies import (
    EMBED_COLOUR,
    WARNING_COLOUR,
    Reply,
    code_content,
    commit_reply,
    make_embed,
    run_fields,
    transcript_output,
    warnings,
)
from bot.ui.text import inline


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def run_reply(t: Catalog, lang: str, lab: LabRun, limits: Limits) -> Reply:
    result = lab.result
    lines = []
    if lab.created is not None:
        lines.append(f"$ docker run -dit {lab.created.image} {shlex.join(_shell_of(lab.created))}")
        lines.append(lab.created.id)
    elif lab.started:
        lines += [f"$ docker start {result.container_name}", result.container_name]
    lines.append(f"$ docker exec -t {result.container_name} /bin/sh -c {shlex.quote(result.command)}")
    text = "\n".join(lines) + "\n" + transcript_output(result)
    content, files = code_content(t, lang, text, "lab-run.txt")
    notes = warnings(t, lang, result, limits)
    intro = [t(lang, "lab.created")] if lab.created else [t(lang, "lab.started")] if lab.started else []
    box = make_embed(
        t(lang, "lab.run_title"),
        "\n".join([*notes, *intro, t(lang, "lab.run_explain")]),
        WARNING_COLOUR if notes else EMBED_COLOUR,
    )
    run_fields(t, lang, box, result)
    return Reply(content=content, embeds=(box,), files=files)


def _shell_of(row: ContainerRow) -> list[str]:
    return row.command.split() or ["/bin/sh"]


def diff_reply(t: Catalog, lang: str, lab: ContainerRow, changes: Sequence[Change]) -> Reply:
    content, files = code_content(t, lang, f"$ docker diff {lab.names}\n{cli.diff(changes)}", "lab-diff.txt")
    lines = [t(lang, "lab.diff_empty")] if not changes else []
    lines.append(t(lang, "diff.explain"))
    return Reply(
        content=content, embeds=(make_embed(t(lang, "lab.diff_title"), "\n".join(lines)),), files=files
    )


def state_reply(t: Catalog, lang: str, verb: str, lab: ContainerRow, *, now: datetime) -> Reply:
    """After ``docker stop``/``start``/``rm``: what the CLI prints, then the container list."""
    flags = f" -t {STOP_TIMEOUT}" if verb == "stop" else ""
    text = f"$ docker {verb}{flags} {lab.names}\n{lab.names}\n"
    if verb != "rm":
        text += "$ docker container ls --all\n" + cli.ps([lab], now=now)
    content, files = code_content(t, lang, text, f"lab-{verb}.txt")
    lines = [t(lang, f"lab.{verb}_explain")]
    if verb == "stop" and "(137)" in lab.status:
        lines.append(t(lang, "lab.stop_137", seconds=STOP_TIMEOUT))
    box = make_embed(t(lang, f"lab.{verb}_title"), "\n".join(lines))
    return Reply(content=content, embeds=(box,), files=files)


def ps_reply(t: Catalog, lang: str, status: LabStatus | None, *, now: datetime) -> Reply:
    rows = [status.container] if status else []
    content, files = code_content(
        t, lang, "$ docker container ls --all\n" + cli.ps(rows, now=now), "lab-ps.txt"
    )
    if status is None:
        lines = [t(lang, "lab.ps_none")]
    elif status.stops_at is not None:
        lines = [t(lang, "lab.ps_running", stop=_stamp(status.stops_at), remove=_stamp(status.removed_at))]
    else:
        lines = [t(lang, "lab.ps_stopped", remove=_stamp(status.removed_at))]
    lines.append(t(lang, "lab.ps_explain"))
    return Reply(
        content=content, embeds=(make_embed(t(lang, "lab.ps_title"), "\n".join(lines)),), files=files
    )


def commit_lab_reply(t: Catalog, lang: str, lab_image: str, result: CommitResult, *, now: datetime) -> Reply:
    base = ImageRef(shown=lab_image, engine_ref=lab_image, own=False)
    reply = commit_reply(
        t, lang, base, result, Limits(), now=now, explain_key="lab.commit_explain", with_run=False
    )
    name = result.run.container_name
    text = f"$ docker commit {name} {result.image.shown}\n{result.image_id}\n"
    content, files = code_content(t, lang, text, "lab-commit.txt")
    history_files = tuple(f for f in reply.files if f[0] != "commit.txt")
    return Reply(content=content, embeds=reply.embeds, files=files + history_files)


def inspect_reply(t: Catalog, lang: str, lab: ContainerRow, view: StorageView) -> Reply:
    if view.image_store == "classic" and view.graph_driver:
        block = cli.graph_driver(view.graph_driver)  # Docker 28 adds an ID to Data: count the lines
        text = f"$ docker inspect {lab.names} | grep -A{block.count(chr(10)) - 1} GraphDriver\n" + block
        description = t(lang, "lab.inspect_explain")
    elif view.mount is not None:
        text = (
            f"$ docker inspect -f '{{{{json .GraphDriver}}}}' {lab.names}\n"
            + cli.go_json(view.graph_driver)
            + f"$ docker exec {lab.names} grep ' / / ' /proc/self/mountinfo   # split up:\n"
            + cli.overlay_dirs(view)
        )
        description = t(lang, "lab.inspect_containerd") + "\n" + t(lang, "lab.inspect_explain")
    else:
        shown = {"GraphDriver": view.graph_driver, "Storage": view.storage}
        text = f"$ docker inspect {lab.names}\n" + cli.json_block({k: v for k, v in shown.items() if v})
        description = t(lang, "lab.no_overlay")
    content, files = code_content(t, lang, text, "lab-inspect.txt")
    embed = make_embed(t(lang, "lab.inspect_title"), description)
    folders = container_folders(t, lang, view)
    if not folders:
        return Reply(content=content, embeds=(embed,), files=files)
    title = t(lang, "lab.picture_title", name=lab.names)
    legend = [
        (pictures.OWN, t(lang, "lab.legend_image")),
        (pictures.INIT, "-init"),
        (pictures.WRITABLE, t(lang, "lab.legend_writable")),
        (pictures.MERGED, t(lang, "lab.legend_merged")),
    ]
    embed.set_image(url=f"attachment://{STACK_PICTURE}")
    return Reply(
        content=content,
        embeds=(embed,),
        files=(*files, (STACK_PICTURE, pictures.draw_folders(title, folders, legend))),
        alts=((STACK_PICTURE, pictures.folders_alt(title, folders)),),
    )


STACK_PICTURE = "lab-stack.png"


def container_folders(t: Catalog, lang: str, view: StorageView) -> list[pictures.Folder]:
    """The container's stack top first, each layer with its folder on the lab host:
    the merged view, the writable layer, the ``-init`` layer, the image's layers.
    Empty when this engine does not say where they are."""
    if view.image_store == "classic" and view.graph_driver:
        data = view.graph_driver.get("Data")
        if not isinstance(data, dict):  # an engine that says nothing of its folders
            return []
        lowers = [d for d in str(data.get("LowerDir") or "").split(":") if d]
        upper, merged = str(data.get("UpperDir") or ""), str(data.get("MergedDir") or "")
        has_init = bool(lowers) and lowers[0].endswith("-init/diff")
    elif view.mount is not None:
        lowers = list(view.mount.lower_dirs)
        upper, merged = view.mount.upper_dir, view.merged_dir or ""
        has_init = len(lowers) == view.image_layers + 1
    else:
        return []
    if not lowers or not upper:
        return []
    folders = []
    if merged:
        folders.append(pictures.Folder(t(lang, "lab.picture_merged"), merged, pictures.MERGED))
    folders.append(pictures.Folder(t(lang, "lab.picture_upper"), upper, pictures.WRITABLE))
    if has_init:
        folders.append(pictures.Folder(t(lang, "lab.picture_init"), lowers[0], pictures.INIT))
        lowers = lowers[1:]
    count = len(lowers)
    folders += [
        pictures.Folder(t(lang, "lab.picture_layer", layer=count - i, count=count), path, pictures.OWN)
        for i, path in enumerate(lowers)
    ]
    return folders


def host_reply(t: Catalog, lang: str, lab: ContainerRow, view: HostView) -> Reply:
    upper = view.upper_dir
    if view.image_store == "classic":
        lines = [f"$ sudo cat {view.layerdb_file}", view.mount_id]
        notes = [t(lang, "lab.host_explain", layerdb=view.layerdb_file)]
    else:
        lines = [
            f"$ docker exec {lab.names} grep -o 'upperdir=[^,]*' /proc/self/mountinfo",
            f"upperdir={upper}",
        ]
        notes = [t(lang, "lab.host_containerd", snapshot=view.snapshot)]
    lines += [f"$ sudo find {upper} -mindepth 1", *(upper + path for path in (*view.files, *view.whiteouts))]
    content, files = code_content(t, lang, "\n".join(lines) + "\n", "lab-host.txt")
    if view.whiteouts:
        notes.append(t(lang, "lab.host_whiteouts", paths=", ".join(f"`{inline(p)}`" for p in view.whiteouts)))
    if not view.files and not view.whiteouts:
        notes.append(t(lang, "lab.host_empty"))
    notes.append(t(lang, "lab.host_windows"))
    return Reply(
        content=content, embeds=(make_embed(t(lang, "lab.host_title"), "\n".join(notes)),), files=files
    )


def class_labs_reply(
    t: Catalog,
    lang: str,
    found: ClassLabs,
    *,
    now: datetime,
    stop_minutes: float,
    remove_hours: float,
    several_engines: bool = False,
) -> Reply:
    labs = found.labs
    header = ["STUDENT", "USER ID", "CONTAINER ID", "IMAGE", "STATUS", "IDLE SINCE"]
    rows = [[*header, "ENGINE"] if several_engines else header]
    for lab in labs:
        name = discord.utils.escape_mentions(lab.display_name) or "?"
        row = [
            name,
            str(lab.owner.user_id),
            truncate_id(lab.status.container.id),
            lab.status.container.image,
            lab.status.container.status,
            since(lab.status.last_used, now),
        ]
        rows.append([*row, lab.engine] if several_engines else row)
    text = table(rows) if labs else t(lang, "admin.labs_none") + "\n"
    content, files = code_content(t, lang, text, "labs.txt")
    description = t(lang, "admin.labs_explain", stop=f"{stop_minutes:g}", remove=f"{remove_hours:g}")
    if found.unreachable:
        description += "\n" + t(lang, "admin.labs_unreachable", engines=", ".join(found.unreachable))
    return Reply(
        content=content,
        embeds=(make_embed(t(lang, "admin.labs_title", count=len(labs)), description),),
        files=files,
    )


def reap_reply(t: Catalog, lang: str, reaped: Reaped) -> Reply:
    text = t(lang, "admin.reap_done", count=reaped.removed)
    if reaped.unreachable:
        text += "\n" + t(lang, "admin.reap_unreachable", engines=", ".join(reaped.unreachable))
    return Reply(content=text)
