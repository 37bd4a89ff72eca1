"""`status [detail]` (§8.6): what the running engine last published, or that it is not running.

An operational command: it reads `<data_dir>/status.json` (written by the engine,
engine/status.py), never talks to the engine, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.status import status_path
from esacli import status_doc, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.ops.status import render
from esacli.errors import StatusUnreadable

DETAIL = "detail"


async def run(ctx: Context, args: Sequence[str]) -> None:
    words = [a.lower() for a in args]
    if words not in ([], [DETAIL]):
        ctx.refuse(texts.ops.STATUS_USAGE)
        return
    store = ctx.session.store
    try:
        doc = status_doc.read(status_path(store.data_dir))
    except StatusUnreadable:
        ctx.console.say(texts.ops.STATUS_UNAVAILABLE)
        return
    now = ctx.clock()
    if doc is None or not status_doc.alive(doc, now):
        ctx.console.say(render.not_running(doc))
        return
    head = store.head_number()
    ctx.console.say(render.status(doc, now, head, detail=words == [DETAIL]))


COMMAND = Command("status", texts.shell.DESCRIPTIONS["status"], run, usage=texts.ops.STATUS_USAGE,
                  takes_args=True)
