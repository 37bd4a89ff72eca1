"""certconfig -> CERTAUTHORITY (§7.3): the system list and the custom list.

Every Verify setting trusts the union of the enabled lists (state.authorities);
this dialog only edits `Config.authorities`.
"""

from __future__ import annotations

from esacli import render, texts
from esacli.commands import cert_files
from esacli.commands.base import Context
from state import authorities, model
from state.errors import CertError
from state.model import Authorities


def _stage(ctx: Context, **changes: object) -> None:
    edited = model.replace(ctx.config.authorities, **changes)
    ctx.stage(model.replace(ctx.config, authorities=edited))


def _state(enabled: bool) -> str:
    return texts.CA_ENABLED if enabled else texts.CA_DISABLED


async def run(ctx: Context) -> None:
    while True:
        op = await ctx.console.menu(texts.CA_MENU)
        if op is None:
            return
        await (system(ctx) if op == "SYSTEM" else custom(ctx))


async def system(ctx: Context) -> None:
    while True:
        auth = ctx.config.authorities
        count = render.plural(len(authorities.system_cas()), texts.CERTIFICATES)
        status = texts.CA_SYSTEM_STATUS.format(state=_state(auth.system_enabled), count=count)
        ctx.console.say(status)
        toggle = texts.CA_DISABLE if auth.system_enabled else texts.CA_ENABLE
        op = await ctx.console.menu([toggle, *texts.CA_SYSTEM_MENU])
        if op is None:
            return
        if op == "PRINT":
            ctx.console.say("\n".join(authorities.system_labels()))
        else:
            _stage(ctx, system_enabled=op == "ENABLE")


async def custom(ctx: Context) -> None:
    while True:
        auth = ctx.config.authorities
        status = texts.CA_CUSTOM_STATUS.format(
            state=_state(auth.custom_enabled), count=render.plural(len(auth.custom),
                                                                    texts.CERTIFICATES)
        )
        ctx.console.say(status)
        toggle = texts.CA_DISABLE if auth.custom_enabled else texts.CA_ENABLE
        op = await ctx.console.menu([toggle, *texts.CA_CUSTOM_MENU])
        if op is None:
            return
        if op in ("ENABLE", "DISABLE"):
            _stage(ctx, custom_enabled=op == "ENABLE")
        elif op == "PRINT":
            ctx.console.say(render.authority_table(auth.custom))
        else:
            await _CUSTOM_OPS[op](ctx, auth)


async def import_cas(ctx: Context, auth: Authorities) -> None:
    """From a file or a paste; a block with no readable PEM is refused and asked again."""
    console = ctx.console
    source = await console.choose(texts.CA_IMPORT_FROM, list(texts.CA_IMPORT_SOURCES), 1)
    while True:
        if source in (None, 0):
            text = (await cert_files.read_file(ctx)).decode(errors="replace")
        else:
            text = await console.read_block(texts.CA_PASTE)
        try:
            added, refused = authorities.custom_entries(auth.custom, text)
            break
        except CertError:
            console.say(texts.CA_BAD_PEM)
    if refused:
        console.say(texts.CA_NOT_ADDED.format(names=", ".join(refused)))
    if added:
        console.say(texts.CA_ADDED.format(names=", ".join(ca.name for ca in added)))
        _stage(ctx, custom=auth.custom + tuple(added))


async def export_cas(ctx: Context, auth: Authorities) -> None:
    if not auth.custom:
        ctx.console.say(texts.CA_NONE)
        return
    names = [texts.CA_EXPORT_ALL, *(ca.name for ca in auth.custom)]
    index = await ctx.console.choose(texts.CA_EXPORT_WHICH, names, 1, names)
    if index is None:
        return
    chosen = auth.custom if index == 0 else (auth.custom[index - 1],)
    path = await cert_files.ask_new_file(ctx)
    if path is None:
        return
    try:
        path.write_text("".join(ca.pem for ca in chosen))  # public certificates only
    except OSError:
        ctx.console.say(texts.CERT_FILE_UNWRITABLE.format(file=path.name))
        return
    ctx.console.say(texts.CERT_FILE_WRITTEN.format(file=path.name))


async def delete_ca(ctx: Context, auth: Authorities) -> None:
    if not auth.custom:
        ctx.console.say(texts.CA_NONE)
        return
    names = [ca.name for ca in auth.custom]
    index = await ctx.console.choose(texts.CA_DELETE_WHICH, names, None, names)
    if index is None:
        return
    name = names[index]
    if await ctx.console.confirm(texts.CA_DELETE_CONFIRM.format(name=name), False):
        _stage(ctx, custom=model.drop(auth.custom, name))


_CUSTOM_OPS = {"IMPORT": import_cas, "EXPORT": export_cas, "DELETE": delete_ca}
