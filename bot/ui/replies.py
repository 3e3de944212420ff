"""Messages for each demo: the CLI's text in a code block, an explanation embed,
and the whole text attached when it does not fit."""

from __future__ import annotations

import io
import shlex
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import discord

from bot.i18n import Catalog
from bot.render import cli, pictures
from bot.render.terminal import terminal_text
from bot.render.units import human_size
from bot.sandbox.limits import Limits
from bot.sandbox.models import (
    ChangeKind,
    CommitResult,
    EngineInfo,
    ImageDetails,
    ImageHistory,
    ImageRef,
    ImagesOverview,
    RemoveResult,
    RunResult,
)
from bot.ui.text import CONTENT_LIMIT, code_block, fit_code_block, inline

#: Colour of the explanation embeds (Docker blue).
EMBED_COLOUR = 0x1D63ED
WARNING_COLOUR = 0xE8A33D
#: Room in an embed description for a code block (the rest is explanation).
EMBED_CODE_BUDGET = 3000


@dataclass(frozen=True)
class Reply:
    content: str
    embeds: tuple[discord.Embed, ...] = ()
    files: tuple[tuple[str, bytes], ...] = field(default=())
    #: Text alternatives of attached pictures, by file name (Discord's attachment description).
    alts: tuple[tuple[str, str], ...] = field(default=())

    def discord_files(self) -> list[discord.File]:
        alts = dict(self.alts)
        return [
            discord.File(io.BytesIO(data), filename=name, description=alts.get(name))
            for name, data in self.files
        ]


async def send_followup(interaction: discord.Interaction[Any], reply: Reply, *, ephemeral: bool) -> None:
    """``reply`` as a new message after the interaction's first answer, with no mention."""
    await interaction.followup.send(
        reply.content,
        embeds=list(reply.embeds),
        files=reply.discord_files(),
        ephemeral=ephemeral,
        allowed_mentions=discord.AllowedMentions.none(),
    )


def make_embed(title: str, description: str, colour: int = EMBED_COLOUR) -> discord.Embed:
    return discord.Embed(title=title[:256], description=description[:4096], colour=colour)


def transcript_output(result: RunResult) -> str:
    """What the terminal showed, ending in a newline unless empty."""
    output = terminal_text(result.output)
    if output and not output.endswith("\n"):
        output += "\n"
    return output


def transcript_run(result: RunResult) -> str:
    command = f"$ docker run -t {result.image} /bin/sh -c {shlex.quote(result.command)}\n"
    return command + transcript_output(result)


def warnings(t: Catalog, lang: str, result: RunResult, limits: Limits) -> list[str]:
    notes = []
    if result.interrupted:
        notes.append(t(lang, "warn.interrupted"))
    if result.timed_out:
        notes.append(t(lang, "warn.timeout", seconds=f"{limits.timeout:g}"))
    if result.output_truncated:
        notes.append(t(lang, "warn.output", limit=human_size(limits.output_bytes)))
    if result.oom_killed:
        notes.append(t(lang, "warn.oom", limit=human_size(limits.memory_bytes)))
    if result.disk_low:
        notes.append(t(lang, "warn.disk_low"))
    elif result.disk_stopped:
        notes.append(t(lang, "warn.disk", limit=human_size(limits.writable_bytes)))
    elif result.layer_too_big:
        notes.append(
            t(
                lang,
                "warn.layer",
                size=human_size(result.layer_size or 0),
                limit=human_size(limits.writable_bytes),
            )
        )
    return notes


def code_content(
    t: Catalog, lang: str, text: str, filename: str, *, tail: str = ""
) -> tuple[str, tuple[tuple[str, bytes], ...]]:
    """The message content: ``text`` + ``tail`` in a code block; when that does
    not fit, ``text`` is cut (``tail`` kept) and the whole is attached."""
    note = t(lang, "common.truncated", file=filename)
    block, cut = fit_code_block(text, CONTENT_LIMIT - 10, note, tail=tail)
    files = ((filename, (text + tail).encode()),) if cut else ()
    return block, files


def run_fields(t: Catalog, lang: str, embed: discord.Embed, result: RunResult) -> None:
    embed.add_field(name=t(lang, "common.exit_code"), value=str(result.exit_code))
    embed.add_field(
        name=t(lang, "common.duration"), value=t(lang, "common.seconds", seconds=f"{result.duration:.1f}")
    )
    embed.add_field(name=t(lang, "common.image"), value=f"`{inline(result.image)}`")


def diff_reply(t: Catalog, lang: str, result: RunResult, limits: Limits) -> Reply:
    tail = (
        f"$ docker diff {result.container_name}\n{cli.diff(result.changes)}"
        f"$ docker rm {result.container_name}\n{result.container_name}\n"
    )
    content, files = code_content(t, lang, transcript_run(result), "diff.txt", tail=tail)
    notes = warnings(t, lang, result, limits)
    if not result.changes:
        notes.append(t(lang, "diff.empty"))
    description = "\n".join([*notes, t(lang, "diff.explain")] if notes else [t(lang, "diff.explain")])
    embed = make_embed(
        t(lang, "diff.title"),
        description,
        WARNING_COLOUR if warnings(t, lang, result, limits) else EMBED_COLOUR,
    )
    run_fields(t, lang, embed, result)
    return Reply(content=content, embeds=(embed,), files=files)


def history_reply(
    t: Catalog, lang: str, image: ImageRef, history: ImageHistory, *, full: bool, now: datetime
) -> Reply:
    entries = history.entries
    table = cli.history(entries, now=now, trunc=not full)
    flag = " --no-trunc" if full else ""
    transcript = f"$ docker history{flag} {image.shown}\n{table}"
    content, files = code_content(t, lang, transcript, "history.txt")
    description = t(lang, "history.explain")
    if not full and any(len(e.created_by) > cli.CREATED_BY_WIDTH for e in entries):
        description += "\n" + t(lang, "history.full_hint")
    embed = make_embed(t(lang, "history.title", image=image.shown), description)
    # The stack drawn: the rows that added files, bottom first (0B rows made no files);
    # the base image's rows are the bottom ones.
    bottom_up = list(reversed(entries))
    made = [(e.created_by, e.size) for e in bottom_up if e.size > 0]
    if not made:
        return Reply(content=content, embeds=(embed,), files=files)
    base_made = sum(1 for e in bottom_up[: history.base_rows] if e.size > 0)
    title = t(lang, "layers.picture_title", image=image.shown)
    bars = pictures.layer_bars(made, base_made, numbered=False)
    legend = [(pictures.OWN, t(lang, "layers.legend_own"))]
    if base_made:
        legend.append((pictures.BASE, t(lang, "history.legend_base", base=history.base)))
    png = pictures.draw_stack(title, bars, legend)
    embed.set_image(url="attachment://history.png")
    return Reply(
        content=content,
        embeds=(embed,),
        files=(*files, ("history.png", png)),
        alts=(("history.png", pictures.alt_text(title, bars)),),
    )


def commit_reply(
    t: Catalog,
    lang: str,
    base: ImageRef,
    result: CommitResult,
    limits: Limits,
    *,
    now: datetime,
    explain_key: str = "commit.explain",
    with_run: bool = True,
) -> Reply:
    run = result.run
    name = result.image.shown
    tail = (
        f"$ docker commit {run.container_name} {name}\n{result.image_id}\n"
        f"$ docker rm {run.container_name}\n{run.container_name}\n"
    )
    transcript = transcript_run(run) + f"$ docker diff {run.container_name}\n{cli.diff(run.changes)}"
    content, files = code_content(t, lang, transcript, "commit.txt", tail=tail)

    table_lines = cli.history(result.history, now=now).splitlines()
    if len(table_lines) > 1:  # mark the new top layer, after the CLI's own text
        table_lines[1] += "  " + t(lang, "commit.new_layer")
    history_text = f"$ docker history {name}\n" + "\n".join(table_lines) + "\n"
    if result.cmd is not None:  # what `docker run <name>` runs: the container's command
        history_text += (
            f"$ docker inspect -f '{{{{json .Config.Cmd}}}}' {name}\n{cli.go_json(list(result.cmd))}"
        )
    history_block, cut = fit_code_block(
        history_text, EMBED_CODE_BUDGET, t(lang, "common.truncated", file="history.txt")
    )
    if cut:
        files = (*files, ("history.txt", history_text.encode()))

    kinds = [c.kind for c in run.changes]
    summary = t(
        lang,
        "commit.summary",
        count=len(kinds),
        added=kinds.count(ChangeKind.ADDED),
        changed=kinds.count(ChangeKind.CHANGED),
        deleted=kinds.count(ChangeKind.DELETED),
    )
    lines = [*warnings(t, lang, run, limits), summary, t(lang, explain_key, base=base.shown)]
    if result.replaced_id:
        lines.append(t(lang, "commit.replaced", name=name))
    if result.removed:
        lines.append(t(lang, "commit.trial_removed", name=name))
    else:
        lines.append(t(lang, "commit.use_it", name=name))
    history_embed = make_embed(t(lang, "history.title", image=name), history_block)
    explain = make_embed(t(lang, "commit.title", name=name), "\n".join(lines))
    if with_run:
        run_fields(t, lang, explain, run)
    return Reply(content=content, embeds=(history_embed, explain), files=files)


def images_reply(t: Catalog, lang: str, overview: ImagesOverview, *, now: datetime) -> Reply:
    own_title = t(lang, "images.own", count=len(overview.own), quota=overview.quota)
    own = "$ docker images\n" + cli.images(overview.own, now=now) if overview.own else ""
    base = cli.images(overview.base, now=now)
    whole = f"{own_title}\n{own or t(lang, 'images.none')}\n\n{t(lang, 'images.base')}\n{base}"
    parts = [f"**{own_title}**", code_block(own) if own else t(lang, "images.none")]
    parts += [f"**{t(lang, 'images.base')}**", code_block(base)]
    content = "\n".join(parts)
    files: tuple[tuple[str, bytes], ...] = ()
    if len(content) > CONTENT_LIMIT:  # many or long names: the whole list goes in a file
        content, files = code_content(t, lang, whole, "images.txt")
    description = t(lang, "images.explain")
    if overview.missing_base:
        description = t(lang, "images.missing", images=", ".join(overview.missing_base)) + "\n" + description
    return Reply(content=content, embeds=(make_embed(t(lang, "images.title"), description),), files=files)


def rmi_reply(t: Catalog, lang: str, name: str, result: RemoveResult) -> Reply:
    content, files = code_content(t, lang, f"$ docker rmi {name}\n{cli.rmi(result)}", "rmi.txt")
    embed = make_embed(t(lang, "rmi.title", name=inline(name)), t(lang, "rmi.explain"))
    return Reply(content=content, embeds=(embed,), files=files)


def info_reply(t: Catalog, lang: str, info: EngineInfo) -> Reply:
    content, files = code_content(t, lang, "$ docker info\n" + cli.info(info), "info.txt")
    lines = [
        t(
            lang,
            "info.yours",
            containers=info.own_containers,
            running=info.own_running,
            images=info.own_images,
        ),
        t(lang, "info.explain"),
    ]
    if info.image_store == "containerd":
        lines.append(t(lang, "info.containerd"))
        here = "…/io.containerd.snapshotter.v1.overlayfs/snapshots/<n>/fs"
    else:
        here = f"{info.root_dir}/overlay2/<id>/diff"
    lines.append(t(lang, "info.paths", path=here))
    return Reply(content=content, embeds=(make_embed(t(lang, "info.title"), "\n".join(lines)),), files=files)


def shared_copy(t: Catalog, lang: str, reply: Reply, display_name: str) -> Reply:
    """The same reply, for everyone in the channel, saying who shared it: above the
    text, or (when the text is already as long as a message may be) as the author
    line of its first embed."""
    name = discord.utils.escape_markdown(discord.utils.escape_mentions(display_name))
    header = t(lang, "share.header", name=name) + "\n"
    content, embeds = reply.content, reply.embeds
    if len(header) + len(content) <= CONTENT_LIMIT:
        return Reply(content=header + content, embeds=embeds, files=reply.files)
    if embeds:  # an author line is plain text: no markdown, no mention
        first = embeds[0].copy()
        first.set_author(name=t(lang, "share.header", name=display_name)[:256])
        embeds = (first, *embeds[1:])
    return Reply(content=content, embeds=embeds, files=reply.files)


def error_text(t: Catalog, lang: str, key: str, params: dict[str, object]) -> str:
    safe = {k: inline(v) if isinstance(v, str) else v for k, v in params.items()}
    return t(lang, key, **safe)


def inspect_image_reply(t: Catalog, lang: str, image: ImageRef, details: ImageDetails) -> Reply:
    text = f"$ docker image inspect {image.shown} | grep -A12 Architecture\n" + cli.image_inspect(details)
    content, files = code_content(t, lang, text, "inspect.txt")
    description = t(lang, "inspect.explain", layers=len(details.layers), size=human_size(details.size))
    if details.driver == "overlayfs":
        description += "\n" + t(lang, "inspect.store_containerd")
    elif details.driver == "overlay2":
        description += "\n" + t(lang, "inspect.store_classic", root=details.root_dir)
    return Reply(
        content=content,
        embeds=(make_embed(t(lang, "inspect.title", image=image.shown), description),),
        files=files,
    )
