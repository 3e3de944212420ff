"""Running a lesson's demo ("Try it", and the quiz's predictions) with the real services."""

from __future__ import annotations

from bot.clock import utcnow
from bot.lessons import Demo
from bot.sandbox.models import Owner
from bot.services.demos import Demos
from bot.services.jobs import OnWait
from bot.services.labs import Labs
from bot.services.playground import Playground
from bot.ui import lab_replies, playground_replies, replies
from bot.ui.presenter import Presenter
from bot.ui.replies import Reply

#: What a lab demo runs in a lab container it had to open (the seed's first command).
LAB_SEED_COMMAND = "echo Hallo > /tmp/testfile"
DEMO_KINDS = frozenset(
    {"diff", "commit", "history", "info", "inspect_image", "lab_host", "lab_inspect", "overlay"}
)


class TryIt:
    def __init__(self, demos: Demos, labs: Labs, playground: Playground, presenter: Presenter) -> None:
        self.demos = demos
        self.labs = labs
        self.playground = playground
        self.presenter = presenter

    async def run(
        self, demo: Demo, owner: Owner, display_name: str, lang: str, on_wait: OnWait | None = None
    ) -> Reply:
        t = self.presenter.catalog
        image = demo.option("image")
        if demo.kind == "diff":
            result = await self.demos.diff(owner, demo.option("command"), image, on_wait=on_wait)
            return replies.diff_reply(t, lang, result, self.presenter.limits)
        if demo.kind == "commit":  # committed, shown, and removed again
            base, committed = await self.demos.commit_trial(
                owner, demo.option("command") or "true", image, on_wait=on_wait
            )
            return replies.commit_reply(t, lang, base, committed, self.presenter.limits, now=utcnow())
        if demo.kind == "history":
            ref, history = await self.demos.history(owner, image or self.demos.default_image)
            return replies.history_reply(t, lang, ref, history, full=False, now=utcnow())
        if demo.kind == "overlay":  # in the student's own OverlayFS playground
            run = await self.playground.run(owner, demo.option("command") or "true", on_wait=on_wait)
            minutes = self.playground.idle_after.total_seconds() / 60
            return playground_replies.run_reply(t, lang, run, self.presenter.limits, minutes)
        if demo.kind == "info":
            return replies.info_reply(t, lang, await self.demos.info(owner))
        if demo.kind == "inspect_image":
            ref, details = await self.demos.inspect_image(owner, image)
            return replies.inspect_image_reply(t, lang, ref, details)
        if demo.kind in ("lab_host", "lab_inspect"):
            # A lab made just now shows the seed's first file, as the lesson does.
            await self.labs.ensure(owner, display_name, seed=LAB_SEED_COMMAND, on_wait=on_wait)
            if demo.kind == "lab_host":
                lab, view = await self.labs.host(owner)
                return lab_replies.host_reply(t, lang, lab, view)
            lab, storage = await self.labs.inspect(owner)
            return lab_replies.inspect_reply(t, lang, lab, storage)
        raise ValueError(f"unknown demo kind {demo.kind!r}")
