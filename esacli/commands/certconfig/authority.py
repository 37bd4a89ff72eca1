"""certconfig -> CERTAUTHORITY (§7.3): the system list and the custom list.

Every Verify setting trusts the union of the enabled lists (state.authorities);
this dialog only edits `Config.authorities`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import render, texts
from esacli.commands.certconfig import pkcs12
from esacli.commands.certconfig.render import authority_table
from esacli.commands.context import Context
from esacli.commands.menu import Menu, Operation, Turn, loop, run_menu
from state import authorities, model
from state.errors import CertError
from state.model import Authorities

ListOperation = Callable[[Context, Authorities], Awaitable[None]]


def _stage(ctx: Context, **changes: object) -> None:
    edited = model.replace(ctx.config.authorities, **changes)
    ctx.stage(model.replace(ctx.config, authorities=edited))


def _state(enabled: bool) -> str:
    return texts.cert.CA_ENABLED if enabled else texts.cert.CA_DISABLED


def _toggled(menu: Menu[ListOperation], enabled: bool) -> Menu[ListOperation]:
    """A list's menu offers DISABLE while it is enabled, ENABLE while it is not."""
    return menu.without("ENABLE" if enabled else "DISABLE")


async def run(ctx: Context) -> None:
    await run_menu(ctx, MENU)


async def system(ctx: Context) -> None:
    def turn() -> Turn[ListOperation]:
        auth = ctx.config.authorities
        count = render.plural(len(authorities.system_cas()), texts.cert.CERTIFICATES)
        status = texts.cert.CA_SYSTEM_STATUS.format(state=_state(auth.system_enabled),
                                                    count=count)
        return status, _toggled(SYSTEM_MENU, auth.system_enabled), (ctx, auth)
    await loop(ctx.console, turn)


async def custom(ctx: Context) -> None:
    def turn() -> Turn[ListOperation]:
        auth = ctx.config.authorities
        count = render.plural(len(auth.custom), texts.cert.CERTIFICATES)
        status = texts.cert.CA_CUSTOM_STATUS.format(state=_state(auth.custom_enabled),
                                                    count=count)
        return status, _toggled(CUSTOM_MENU, auth.custom_enabled), (ctx, auth)
    await loop(ctx.console, turn)


def _switch(field: str, enabled: bool) -> ListOperation:
    """ENABLE or DISABLE of one list."""
    async def switch(ctx: Context, auth: Authorities) -> None:
        _stage(ctx, **{field: enabled})
    return switch


async def print_system(ctx: Context, auth: Authorities) -> None:
    ctx.console.say("\n".join(authorities.system_labels()))


async def print_custom(ctx: Context, auth: Authorities) -> None:
    ctx.console.say(authority_table(auth.custom))


async def import_cas(ctx: Context, auth: Authorities) -> None:
    """From a file or a paste; a block with no readable PEM is refused and asked again."""
    console = ctx.console
    source = await console.choose(texts.cert.CA_IMPORT_FROM, list(texts.cert.CA_IMPORT_SOURCES), 1)
    while True:
        if source in (None, 0):
            text = (await pkcs12.read_file(ctx)).decode(errors="replace")
        else:
            text = await console.read_block(texts.cert.CA_PASTE)
        try:
            added, refused = authorities.custom_entries(auth.custom, text)
            break
        except CertError:
            console.say(texts.cert.CA_BAD_PEM)
    if refused:
        console.say(texts.cert.CA_NOT_ADDED.format(names=", ".join(refused)))
    if added:
        console.say(texts.cert.CA_ADDED.format(names=", ".join(ca.name for ca in added)))
        _stage(ctx, custom=auth.custom + tuple(added))


async def export_cas(ctx: Context, auth: Authorities) -> None:
    if not auth.custom:
        ctx.console.say(texts.cert.CA_NONE)
        return
    names = [texts.cert.CA_EXPORT_ALL, *(ca.name for ca in auth.custom)]
    index = await ctx.console.choose(texts.cert.CA_EXPORT_WHICH, names, 1, names)
    if index is None:
        return
    chosen = auth.custom if index == 0 else (auth.custom[index - 1],)
    path = await pkcs12.ask_new_file(ctx)
    if path is None:
        return
    try:
        path.write_text("".join(ca.pem for ca in chosen))  # public certificates only
    except OSError:
        ctx.console.say(texts.cert.CERT_FILE_UNWRITABLE.format(file=path.name))
        return
    ctx.console.say(texts.cert.CERT_FILE_WRITTEN.format(file=path.name))


async def delete_ca(ctx: Context, auth: Authorities) -> None:
    if not auth.custom:
        ctx.console.say(texts.cert.CA_NONE)
        return
    names = [ca.name for ca in auth.custom]
    index = await ctx.console.choose(texts.cert.CA_DELETE_WHICH, names, None, names)
    if index is None:
        return
    name = names[index]
    if await ctx.console.confirm(texts.cert.CA_DELETE_CONFIRM.format(name=name), False):
        _stage(ctx, custom=model.drop(auth.custom, name))


MENU: Menu[Operation] = Menu.of(texts.cert.CA_MENU, {"SYSTEM": system, "CUSTOM": custom})
SYSTEM_MENU: Menu[ListOperation] = Menu.of(texts.cert.CA_SYSTEM_MENU, {
    "ENABLE": _switch("system_enabled", True), "DISABLE": _switch("system_enabled", False),
    "PRINT": print_system,
})
CUSTOM_MENU: Menu[ListOperation] = Menu.of(texts.cert.CA_CUSTOM_MENU, {
    "ENABLE": _switch("custom_enabled", True), "DISABLE": _switch("custom_enabled", False),
    "IMPORT": import_cas, "EXPORT": export_cas, "PRINT": print_custom, "DELETE": delete_ca,
})
