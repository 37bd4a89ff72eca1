"""`certconfig` (§7.1): the demo-certificate warning, then CERTIFICATE or CERTAUTHORITY."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.certconfig import authority, certificate
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from state import cert_usage


async def run(ctx: Context, args: Sequence[str]) -> None:
    if cert_usage.uses_demo(ctx.config):
        await ctx.console.pause(texts.cert.DEMO_WARNING)
    await run_menu(ctx, MENU)


MENU: Menu[Operation] = Menu.of(texts.cert.CERTCONFIG_MENU, {
    "CERTIFICATE": certificate.run, "CERTAUTHORITY": authority.run,
})

COMMAND = Command("certconfig", texts.shell.DESCRIPTIONS["certconfig"], run)
