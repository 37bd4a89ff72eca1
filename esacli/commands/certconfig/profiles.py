"""certconfig CERTIFICATE -> DELETE and PRINT: profiles and the services using them."""

from __future__ import annotations

from esacli import texts
from esacli.commands.certconfig import questions
from esacli.commands.certconfig.render import certificate_uses, user_label
from esacli.commands.context import Context
from state import cert_usage, model


async def delete(ctx: Context) -> None:
    """A profile in use is refused, naming its users, and the question is asked again."""
    console = ctx.console
    while True:
        profile = await questions.choose_profile(ctx, texts.cert.CERT_DELETE_WHICH)
        if profile is None:
            return
        users = cert_usage.users(ctx.config, profile.name)
        if not users:
            break
        names = ", ".join(user_label(u) for u in users)
        console.say(texts.cert.CERT_IN_USE.format(name=profile.name, users=names))
    if await console.confirm(texts.cert.CERT_DELETE_CONFIRM.format(name=profile.name), False):
        remaining = model.drop(ctx.config.certificates, profile.name)
        ctx.stage(model.replace(ctx.config, certificates=remaining))


async def print_uses(ctx: Context) -> None:
    ctx.console.say(certificate_uses(ctx.config))
