"""`daneverify <domain>`: test DANE for a domain now (the appliance's daneverify).

Like tlsverify it needs no commit and uses the COMMITTED configuration (the resolver
dnsconfig set, the client certificate); the probe and its lines are the engine's
(engine/outbound/daneverify.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.outbound.daneverify import daneverify
from esacli import texts
from esacli.commands.context import Context
from esacli.commands.dnspolicy import ports
from esacli.commands.menu import Command
from state.users import Act
from state.validate_outbound import is_host, normalise_domain


async def run(ctx: Context, args: Sequence[str]) -> None:
    if len(args) > 1:
        ctx.refuse(texts.dnspolicy.DANEVERIFY_USAGE)
        return
    answer = args[0] if args else ""
    while True:
        if not answer:
            answer = await ctx.console.ask(texts.dnspolicy.DANEVERIFY_DOMAIN)
            if not answer:
                return
        if is_host(normalise_domain(answer)):
            break
        ctx.console.say(texts.dnspolicy.DANEVERIFY_BAD_DOMAIN.format(domain=answer))
        if args:
            ctx.failed = True
            return
        answer = ""
    config = ctx.session.store.load()
    console = ctx.console
    console.write("\n")
    await daneverify(config, ctx.session.secrets, normalise_domain(answer),
                     lambda line: console.write(f"{line}\n"), ports.MX_PORT)


COMMAND = Command("daneverify", texts.shell.DESCRIPTIONS["daneverify"], run,
                  usage=texts.dnspolicy.DANEVERIFY_USAGE, takes_args=True, kind=Act.LOOK)
