"""`certconfig` (§7.1-7.3): the top menu, the CERTIFICATE sub-menu and PASTE.

The other operations live beside this module: cert_request (NEW, EDIT),
cert_files (IMPORT, EXPORT), cert_manage (DELETE, PRINT), cert_authority
(CERTAUTHORITY). Private keys are read without echo, stored in the secrets area
only when a dialog completes, and profiles name them by key_id: nothing printed
afterwards (the list, showchanges, commit errors) can contain them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from esacli import render, texts
from esacli.commands import cert_ask, cert_authority, cert_files, cert_manage, cert_request
from esacli.commands.base import Context
from state import cert_usage, certs, model
from state.model import Certificate, Config

Operation = Callable[[Context], Awaitable[None]]


async def run(ctx: Context, args: Sequence[str]) -> None:
    if uses_demo(ctx.config):
        await ctx.console.pause(texts.DEMO_WARNING)
    while True:
        op = await ctx.console.menu(texts.CERTCONFIG_MENU)
        if op is None:
            return
        if op == "CERTIFICATE":
            await certificate_menu(ctx)
        elif op == "CERTAUTHORITY":
            await cert_authority.run(ctx)


def uses_demo(config: Config) -> bool:
    return cert_usage.uses_demo(config)


async def certificate_menu(ctx: Context) -> None:
    while True:
        ctx.console.say(render.certificate_table(ctx.config.certificates, cert_ask.now(ctx)))
        op = await ctx.console.menu(texts.CERTIFICATE_MENU)
        if op is None:
            return
        await _OPERATIONS[op](ctx)


async def paste(ctx: Context) -> None:
    console = ctx.console
    name = await cert_ask.new_profile_name(ctx)
    if name is None:
        return
    chain = await cert_ask.paste_chain(ctx)
    leaf = chain[0]
    key = await cert_ask.paste_key(console, leaf)
    chain += await cert_ask.paste_intermediates(ctx, chain[-1], another=len(chain) > 1)
    if not await cert_ask.fqdn_ok(console, leaf):
        return
    key_id = ctx.session.put_key(key)
    profile = Certificate(
        name=name, chain=tuple(certs.normalise_pem(c) for c in chain), key_id=key_id
    )
    ctx.stage(model.replace(ctx.config, certificates=model.put(ctx.config.certificates, profile)))


_OPERATIONS: dict[str, Operation] = {
    "IMPORT": cert_files.import_profile,
    "PASTE": paste,
    "NEW": cert_request.new,
    "EDIT": cert_request.edit,
    "EXPORT": cert_files.export_profile,
    "DELETE": cert_manage.delete,
    "PRINT": cert_manage.print_uses,
}
