"""certconfig -> CERTIFICATE (§7.2): the profile list, its menu, and PASTE.

The other operations are beside this module: `request` (NEW, EDIT), `pkcs12` (IMPORT,
EXPORT), `profiles` (DELETE, PRINT). Private keys are read without echo, stored in the
secrets area only when a dialog completes, and profiles name them by key_id: nothing
printed afterwards (the list, showchanges, commit errors) can contain them.
"""

from __future__ import annotations

from esacli import texts
from esacli.commands.certconfig import pkcs12, profiles, questions, request
from esacli.commands.certconfig.render import certificate_table
from esacli.commands.context import Context
from esacli.commands.menu import Menu, Operation, run_menu
from state import certs, model
from state.model import Certificate


async def run(ctx: Context) -> None:
    await run_menu(ctx, MENU, lambda: certificate_table(ctx.config.certificates,
                                                        questions.now(ctx)))


async def paste(ctx: Context) -> None:
    console = ctx.console
    name = await questions.new_profile_name(ctx)
    if name is None:
        return
    chain = await questions.paste_chain(ctx)
    leaf = chain[0]
    key = await questions.paste_key(console, leaf)
    chain += await questions.paste_intermediates(ctx, chain[-1], another=len(chain) > 1)
    if not await questions.fqdn_ok(console, leaf):
        return
    key_id = ctx.session.put_key(key)
    profile = Certificate(
        name=name, chain=tuple(certs.normalise_pem(c) for c in chain), key_id=key_id
    )
    ctx.stage(model.replace(ctx.config, certificates=model.put(ctx.config.certificates, profile)))


MENU: Menu[Operation] = Menu.of(texts.cert.CERTIFICATE_MENU, {
    "IMPORT": pkcs12.import_profile, "PASTE": paste, "NEW": request.new, "EDIT": request.edit,
    "EXPORT": pkcs12.export_profile, "DELETE": profiles.delete, "PRINT": profiles.print_uses,
})
