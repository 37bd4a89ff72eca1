"""`workqueue`: the queue between reception and delivery. STATUS: how many messages and
recipients wait and whether delivery runs (suspenddel); RATE: its throughput, as `rate`.
Operational: it reads what the engine publishes (§2.1)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.status import status_path
from esacli import status_doc, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.commands.ops.queue import rate
from esacli.errors import StatusUnreadable
from esacli.render import date
from state.users import Act


def delivery_state(ctx: Context) -> str:
    delivery = ctx.session.store.load().delivery
    if delivery.suspended:
        return texts.control.WORKQUEUE_SUSPENDED_ALL
    if delivery.suspended_domains:
        return texts.control.WORKQUEUE_SUSPENDED_SOME.format(
            domains=", ".join(delivery.suspended_domains))
    return texts.control.WORKQUEUE_RUNNING


async def status(ctx: Context) -> None:
    try:
        doc = status_doc.read(status_path(ctx.session.store.data_dir))
    except StatusUnreadable:
        doc = None
    now = ctx.clock()
    if doc is None or not status_doc.alive(doc, now):
        ctx.console.say(texts.ops.STATUS_NOT_RUNNING)
        return
    ctx.console.say(texts.control.WORKQUEUE_STATUS.format(
        date=date(now), state=texts.control.WORKQUEUE_OPERATIONAL,
        incoming=f"{doc.gauges.messages_in_queue:,}", active=f"{doc.gauges.active_recipients:,}",
        delivery=delivery_state(ctx)))


async def rates(ctx: Context) -> None:
    await rate.show(ctx, rate.DEFAULT_INTERVAL)


MENU: Menu[Operation] = Menu.of(texts.control.WORKQUEUE_MENU, {"STATUS": status, "RATE": rates})


async def run(ctx: Context, args: Sequence[str]) -> None:
    words = [a.lower() for a in args]
    if words == ["status"]:
        await status(ctx)
    elif words[:1] == ["rate"]:
        await rate.rate(ctx, args[1:])  # `workqueue rate 5` is `rate 5`
    elif args:
        ctx.refuse(texts.control.WORKQUEUE_USAGE)
    else:
        await run_menu(ctx, MENU)


COMMAND = Command("workqueue", texts.shell.DESCRIPTIONS["workqueue"], run,
                  usage=texts.control.WORKQUEUE_USAGE, takes_args=True, kind=Act.LOOK)
