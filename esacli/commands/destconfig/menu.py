"""`destconfig` (§6): destination controls, one entry per recipient domain.

SETUP picks the client certificate for all outbound TLS and the required-TLS alert;
NEW / EDIT / DEFAULT ask in `dialog`; IMPORT / EXPORT use the §6.7 INI format of
`state.formats_dest`, files in the configuration folder. What an entry may be is
state.edit.destinations'.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from esacli import texts
from esacli.commands import config_files, value_questions
from esacli.commands.context import Context
from esacli.commands.destconfig import dialog
from esacli.commands.destconfig.render import dest_count, dest_detail, dest_list
from esacli.commands.menu import Command, Menu, Operation, run_menu
from state import cert_usage, formats_dest, model
from state.edit import destinations
from state.model import DestinationControls, DestinationEntry
from state.validate_outbound import normalise_domain


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: dest_count(ctx.config.destinations))


def _stage(ctx: Context, dest: DestinationControls) -> None:
    ctx.stage(model.replace(ctx.config, destinations=dest))


async def setup(ctx: Context) -> None:
    """§6.5: the outbound client certificate, then the required-TLS failure alert."""
    console, dest = ctx.console, ctx.config.destinations
    names = [c.name for c in ctx.config.certificates]
    current = cert_usage.outbound_certificate(ctx.config)
    default = names.index(current) + 1 if current in names else None
    chosen = dest.client_certificate
    while names:
        index = await console.choose(texts.dest.DEST_CERTIFICATE, names, default, names)
        if index is None:
            return
        if not cert_usage.is_demo(names[index]) or await console.confirm(
                texts.dest.DEST_DEMO_QUESTION, False):
            chosen = names[index]
            break
    alert = await console.confirm(texts.dest.DEST_TLS_ALERT, dest.tls_failure_alert)
    _stage(ctx, model.replace(dest, client_certificate=chosen, tls_failure_alert=alert))


async def _new_domain(ctx: Context) -> str | None:
    """A valid domain key not yet in the table; None (empty answer) climbs back."""
    answer = await value_questions.ask_accepted(
        ctx.console, texts.dest.DEST_NEW_DOMAIN,
        partial(destinations.new_domain_refusal, ctx.config.destinations))
    return None if answer is None else normalise_domain(answer)


async def new(ctx: Context) -> None:
    domain = await _new_domain(ctx)
    if domain is None:
        return
    dest = ctx.config.destinations
    entry = await dialog.entry_dialog(ctx.console, DestinationEntry(domain=domain),
                                      dest.default, dest.client_certificate, new=True)
    _stage(ctx, destinations.put_entry(dest, entry))


async def _existing(ctx: Context, question: str) -> DestinationEntry | None:
    return await value_questions.ask_existing(
        ctx.console, question, partial(destinations.find, ctx.config.destinations),
        lambda answer: texts.dest.DEST_NOT_FOUND.format(domain=normalise_domain(answer)))


async def edit(ctx: Context) -> None:
    entry = await _existing(ctx, texts.dest.DEST_EDIT_DOMAIN)
    if entry is None:
        return
    dest = ctx.config.destinations
    edited = await dialog.entry_dialog(ctx.console, entry, dest.default,
                                       dest.client_certificate, new=False)
    _stage(ctx, destinations.put_entry(dest, edited))


async def delete(ctx: Context) -> None:
    entry = await _existing(ctx, texts.dest.DEST_DELETE_DOMAIN)
    if entry is not None:
        _stage(ctx, destinations.remove_entry(ctx.config.destinations, entry.domain))


async def default(ctx: Context) -> None:
    dest = ctx.config.destinations
    row = await dialog.default_dialog(ctx.console, dest.default, dest.client_certificate)
    _stage(ctx, model.replace(dest, default=row))


async def list_entries(ctx: Context) -> None:
    ctx.console.say(dest_list(ctx.config.destinations))


async def detail(ctx: Context) -> None:
    dest = ctx.config.destinations
    answer = await ctx.console.ask(texts.dest.DEST_DETAIL_DOMAIN, texts.dest.DEST_ALL)
    if answer.lower() == texts.dest.DEST_ALL:
        chosen = [*dest.entries, dest.default]
    else:
        entry = destinations.find(dest, answer)
        if entry is None:
            ctx.console.say(texts.dest.DEST_NOT_FOUND.format(domain=normalise_domain(answer)))
            return
        chosen = [entry]
    ctx.console.say("\n\n".join(dest_detail(e, dest.default) for e in chosen))


async def clear(ctx: Context) -> None:
    if await ctx.console.confirm(texts.dest.DEST_CLEAR_CONFIRM, False):
        _stage(ctx, model.replace(ctx.config.destinations, entries=()))


async def import_file(ctx: Context) -> None:
    current = ctx.config.destinations
    dest = await config_files.import_table(
        ctx, texts.dest.DEST_IMPORT_FILE, lambda text: formats_dest.parse(text, current)
    )
    if dest is not None:
        _stage(ctx, dest)


async def export_file(ctx: Context) -> None:
    text = formats_dest.dump(ctx.config.destinations)
    await config_files.export_table(ctx, texts.dest.DEST_EXPORT_FILE, text)


MENU: Menu[Operation] = Menu.of(texts.dest.DEST_MENU, {
    "SETUP": setup, "NEW": new, "EDIT": edit, "DELETE": delete, "DEFAULT": default,
    "LIST": list_entries, "DETAIL": detail, "CLEAR": clear, "IMPORT": import_file,
    "EXPORT": export_file,
})

COMMAND = Command("destconfig", texts.shell.DESCRIPTIONS["destconfig"], run)
