"""`destconfig` (§6): destination controls, one entry per recipient domain.

SETUP picks the client certificate for all outbound TLS and the required-TLS alert;
NEW / EDIT / DEFAULT are in `dest_dialog`; IMPORT / EXPORT use the §6.7 INI format of
`state.formats_dest`, files in the configuration folder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from esacli import render_outbound, texts
from esacli.commands import _cfgfiles, dest_dialog
from esacli.commands.base import Context
from state import formats_dest, model
from state.defaults import DEMO_CERT
from state.model import Config, DestinationControls, DestinationEntry
from state.validate_outbound import is_domain_key, normalise_domain


async def run(ctx: Context, args: Sequence[str]) -> None:
    while True:
        ctx.console.say(render_outbound.dest_count(ctx.config.destinations))
        op = await ctx.console.menu(texts.DEST_MENU)
        if op is None:
            return
        await _OPERATIONS[op](ctx)


def _stage(ctx: Context, dest: DestinationControls) -> None:
    ctx.stage(model.replace(ctx.config, destinations=dest))


def find(config: Config, domain: str) -> DestinationEntry | None:
    key = normalise_domain(domain)
    return next((e for e in config.destinations.entries if e.domain == key), None)


async def setup(ctx: Context) -> None:
    """§6.5: the outbound client certificate, then the required-TLS failure alert."""
    console, dest = ctx.console, ctx.config.destinations
    names = [c.name for c in ctx.config.certificates]
    current = dest.client_certificate or DEMO_CERT
    default = names.index(current) + 1 if current in names else None
    chosen = dest.client_certificate
    while names:
        index = await console.choose(texts.DEST_CERTIFICATE, names, default, names)
        if index is None:
            return
        if names[index] != DEMO_CERT or await console.confirm(texts.DEST_DEMO_QUESTION, False):
            chosen = names[index]
            break
    alert = await console.confirm(texts.DEST_TLS_ALERT, dest.tls_failure_alert)
    _stage(ctx, model.replace(dest, client_certificate=chosen, tls_failure_alert=alert))


async def _new_domain(ctx: Context) -> str | None:
    """A valid domain key not yet in the table; None (empty answer) climbs back."""
    while True:
        answer = await ctx.console.ask(texts.DEST_NEW_DOMAIN)
        if not answer:
            return None
        key = normalise_domain(answer)
        if not is_domain_key(key):
            ctx.console.say(texts.DEST_INVALID_DOMAIN.format(domain=answer))
        elif find(ctx.config, key) is not None:
            ctx.console.say(texts.DEST_EXISTS.format(domain=key))
        else:
            return key


async def new(ctx: Context) -> None:
    domain = await _new_domain(ctx)
    if domain is None:
        return
    dest = ctx.config.destinations
    entry = await dest_dialog.entry_dialog(ctx.console, DestinationEntry(domain=domain),
                                           dest.default, dest.client_certificate, new=True)
    _stage(ctx, model.replace(dest, entries=dest.entries + (entry,)))


async def _existing(ctx: Context, question: str) -> DestinationEntry | None:
    answer = await ctx.console.ask(question)
    if not answer:
        return None
    entry = find(ctx.config, answer)
    if entry is None:
        ctx.console.say(texts.DEST_NOT_FOUND.format(domain=normalise_domain(answer)))
    return entry


async def edit(ctx: Context) -> None:
    entry = await _existing(ctx, texts.DEST_EDIT_DOMAIN)
    if entry is None:
        return
    dest = ctx.config.destinations
    edited = await dest_dialog.entry_dialog(ctx.console, entry, dest.default,
                                            dest.client_certificate, new=False)
    entries = tuple(edited if e.domain == entry.domain else e for e in dest.entries)
    _stage(ctx, model.replace(dest, entries=entries))


async def delete(ctx: Context) -> None:
    entry = await _existing(ctx, texts.DEST_DELETE_DOMAIN)
    if entry is None:
        return
    dest = ctx.config.destinations
    entries = tuple(e for e in dest.entries if e.domain != entry.domain)
    _stage(ctx, model.replace(dest, entries=entries))


async def default(ctx: Context) -> None:
    dest = ctx.config.destinations
    row = await dest_dialog.default_dialog(ctx.console, dest.default, dest.client_certificate)
    _stage(ctx, model.replace(dest, default=row))


async def list_entries(ctx: Context) -> None:
    ctx.console.say(render_outbound.dest_list(ctx.config.destinations))


async def detail(ctx: Context) -> None:
    dest = ctx.config.destinations
    answer = await ctx.console.ask(texts.DEST_DETAIL_DOMAIN, texts.DEST_ALL)
    if answer.lower() == texts.DEST_ALL:
        chosen = [*dest.entries, dest.default]
    else:
        entry = find(ctx.config, answer)
        if entry is None:
            ctx.console.say(texts.DEST_NOT_FOUND.format(domain=normalise_domain(answer)))
            return
        chosen = [entry]
    blocks = [render_outbound.dest_detail(e, dest.default) for e in chosen]
    ctx.console.say("\n\n".join(blocks))


async def clear(ctx: Context) -> None:
    if await ctx.console.confirm(texts.DEST_CLEAR_CONFIRM, False):
        _stage(ctx, model.replace(ctx.config.destinations, entries=()))


async def import_file(ctx: Context) -> None:
    current = ctx.config.destinations
    dest = await _cfgfiles.import_table(
        ctx, texts.DEST_IMPORT_FILE, lambda text: formats_dest.parse(text, current)
    )
    if dest is not None:
        _stage(ctx, dest)


async def export_file(ctx: Context) -> None:
    text = formats_dest.dump(ctx.config.destinations)
    await _cfgfiles.export_table(ctx, texts.DEST_EXPORT_FILE, text)


_OPERATIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "SETUP": setup,
    "NEW": new,
    "EDIT": edit,
    "DELETE": delete,
    "DEFAULT": default,
    "LIST": list_entries,
    "DETAIL": detail,
    "CLEAR": clear,
    "IMPORT": import_file,
    "EXPORT": export_file,
}
