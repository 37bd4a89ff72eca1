"""`interfaceconfig`: named IP interfaces with an address and a host name; listeners name
them. A machine-only setting: on a cluster member it is edited in Machine mode, and a
shared listener whose interface a machine lacks runs disabled there (status says so)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.console import Console
from state.edit import interfaces
from state.model import Config, Interface


def listing(config: Config) -> str:
    if not config.interfaces:
        return texts.cluster.NO_INTERFACES
    rows = [texts.cluster.INTERFACE_LINE.format(n=n, name=i.name, ip=i.ip, hostname=i.hostname)
            for n, i in enumerate(config.interfaces, 1)]
    return "\n".join([texts.cluster.INTERFACES_HEADER, *rows])


async def _questions(console: Console, config: Config, current: Interface | None) -> Interface:
    old = current.name if current else ""
    name = await _required(console, texts.cluster.INTERFACE_NAME, old,
                           lambda a: interfaces.name_refusal(config, a, old))
    ip = await _required(console, texts.cluster.INTERFACE_IP, current.ip if current else "",
                         lambda a: interfaces.ip_refusal(config, a, old))
    host = await _required(console, texts.cluster.INTERFACE_HOSTNAME,
                           current.hostname if current else config.hostname,
                           interfaces.hostname_refusal)
    return Interface(name=name, ip=ip, hostname=host)


async def _required(console: Console, question: str, default: str,
                    refusal: Callable[[str], str | None]) -> str:
    while True:
        answer = await value_questions.ask_accepted(console, question, refusal, default)
        if answer is not None:
            return answer
        console.say(texts.shell.ENTER_A_VALUE)


async def _choose(ctx: Context, action: str) -> Interface | None:
    names = [i.name for i in ctx.config.interfaces]
    if not names:
        ctx.console.say(texts.cluster.NO_INTERFACES)
        return None
    rows = [texts.listener.INTERFACE_LINE.format(name=i.name, ip=i.ip, hostname=i.hostname)
            for i in ctx.config.interfaces]
    index = await ctx.console.choose(texts.cluster.INTERFACE_WHICH.format(action=action),
                                     rows, None, names)
    return None if index is None else ctx.config.interfaces[index]


async def new(ctx: Context) -> None:
    made = await _questions(ctx.console, ctx.config, None)
    ctx.stage(interfaces.put_interface(ctx.config, made.name, made))


async def edit(ctx: Context) -> None:
    chosen = await _choose(ctx, "edit")
    if chosen is None:
        return
    changed = await _questions(ctx.console, ctx.config, chosen)
    ctx.stage(interfaces.put_interface(ctx.config, chosen.name, changed))


async def delete(ctx: Context) -> None:
    chosen = await _choose(ctx, "delete")
    if chosen is None:
        return
    refusal = interfaces.delete_refusal(ctx.config, chosen.name, ctx.cluster is not None)
    if refusal is not None:
        ctx.refuse(refusal)
        return
    used = interfaces.users(ctx.config, chosen.name)
    if used:
        ctx.console.say(texts.cluster.INTERFACE_USED.format(name=chosen.name,
                                                            listeners=", ".join(used)))
    question = texts.cluster.INTERFACE_DELETE_CONFIRM.format(name=chosen.name)
    if await ctx.console.confirm(question, False):
        ctx.stage(interfaces.remove_interface(ctx.config, chosen.name))


def _menu(ctx: Context) -> Menu[Operation]:
    whole = MENU
    return whole if ctx.config.interfaces else whole.only("NEW")


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, lambda: _menu(ctx), lambda: listing(ctx.config))


MENU: Menu[Operation] = Menu.of(texts.cluster.INTERFACE_MENU,
                                {"NEW": new, "EDIT": edit, "DELETE": delete})

COMMAND = Command("interfaceconfig", texts.shell.DESCRIPTIONS["interfaceconfig"], run)
