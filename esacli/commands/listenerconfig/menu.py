"""`listenerconfig` (§3): the listener list and its menu (NEW, EDIT, DELETE, SETUP), and
the one-line forms (`listenerconfig edit <listener> hostaccess|rcptaccess ...`), which
walk the same menus by item name."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.listenerconfig import edit, new, questions
from esacli.commands.listenerconfig.render import listener_list
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.errors import BatchRefused
from state import model
from state.edit import listeners


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        try:
            run_batch(ctx, list(args))
        except BatchRefused as refused:
            ctx.refuse(str(refused))
        return
    await run_menu(ctx, MENU, lambda: listener_list(ctx.config))


def run_batch(ctx: Context, words: list[str]) -> None:
    """`<operation> ...`: the operation's one-line form (EDIT has one)."""
    form, rest = MENU.batch(words if len(words) >= 4 else [], texts.listener.BATCH_USAGE_ERROR)
    form(ctx, rest)


async def setup(ctx: Context) -> None:
    """§3.5, limited to the setting this product has: HAT delayed rejection."""
    current = ctx.config.listener_setup
    delayed = await ctx.console.confirm(texts.hat.HAT_DELAYED_REJECTION,
                                        current.hat_delayed_rejection)
    ctx.stage(model.replace(ctx.config, listener_setup=model.replace(
        current, hat_delayed_rejection=delayed)))


async def delete(ctx: Context) -> None:
    listener = await questions.choose_listener(ctx.console, ctx.config, texts.listener.DELETE_WHICH)
    if listener is None:
        return
    question = texts.listener.DELETE_CONFIRM.format(name=listener.name)
    if not await ctx.console.confirm(question, False):
        return
    ctx.stage(listeners.remove_listener(ctx.config, listener.name))
    ctx.console.say(texts.listener.LISTENER_DELETED.format(name=listener.name))


MENU: Menu[Operation] = Menu.of(texts.listener.LISTENER_MENU, {
    "NEW": new.new, "EDIT": edit.run, "DELETE": delete, "SETUP": setup,
}, batch={"EDIT": edit.run_batch})

COMMAND = Command("listenerconfig", texts.shell.DESCRIPTIONS["listenerconfig"], run,
                  usage=texts.listener.LISTENERCONFIG_USAGE, takes_args=True)
