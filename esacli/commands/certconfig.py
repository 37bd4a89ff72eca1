"""`certconfig` (§7.1-7.2): the certificate list and PASTE.

The private key is read without echo, stored in the secrets area only when the
dialog completes, and the profile names it by key_id: nothing printed afterwards
(the list, showchanges, commit errors) can contain it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509

from esacli import render, texts
from esacli.commands.base import Context
from esacli.console import Console
from state import certs, model
from state.defaults import DEMO_CERT
from state.errors import CertError
from state.model import Certificate, Config
from state.validate import is_hostname, is_name


async def run(ctx: Context, args: Sequence[str]) -> None:
    if uses_demo(ctx.config):
        await ctx.console.pause(texts.DEMO_WARNING)
    while True:
        op = await ctx.console.menu(texts.CERTCONFIG_MENU)
        if op is None:
            return
        if op == "CERTIFICATE":
            await certificate_menu(ctx)


def uses_demo(config: Config) -> bool:
    # A listener with no certificate chosen serves the demo certificate.
    return any(render.certificate_name(li) == DEMO_CERT for li in config.listeners)


async def certificate_menu(ctx: Context) -> None:
    while True:
        now = dt.datetime.fromtimestamp(ctx.clock(), dt.UTC)
        ctx.console.say(render.certificate_table(ctx.config.certificates, now))
        op = await ctx.console.menu(texts.CERTIFICATE_MENU)
        if op is None:
            return
        if op == "PASTE":
            await paste(ctx)


async def paste(ctx: Context) -> None:
    console = ctx.console
    name = await _profile_name(console)
    exists = model.by_name(ctx.config.certificates, name) is not None
    if exists and not await console.confirm(texts.CERT_OVERWRITE.format(name=name), False):
        return
    leaf = await _paste_certificate(console, texts.PASTE_CERT)
    key = await _paste_key(console, leaf)
    chain = [leaf]
    if await console.confirm(texts.ADD_INTERMEDIATE, False):
        while True:
            chain.append(await _paste_certificate(console, texts.PASTE_INTERMEDIATE))
            if not await console.confirm(texts.ADD_ANOTHER_INTERMEDIATE, False):
                break
    if await console.confirm(texts.CHECK_FQDN, False):
        common_name = certs.describe(leaf).common_name
        if not is_hostname(common_name):
            console.say(texts.NOT_FQDN.format(cn=common_name))
            return
    key_id = ctx.session.secrets.put_key(key)
    profile = Certificate(
        name=name, chain=tuple(certs.normalise_pem(c) for c in chain), key_id=key_id
    )
    ctx.stage(model.replace(ctx.config, certificates=model.put(ctx.config.certificates, profile)))


async def _profile_name(console: Console) -> str:
    while True:
        name = await console.ask(texts.CERT_PROFILE_NAME, bare=True)
        if not name:
            console.say(texts.ENTER_A_VALUE)
        elif not is_name(name):
            console.say(texts.VALID_NAME_CHARS)
        else:
            return name


async def _paste_certificate(console: Console, prompt: str) -> x509.Certificate:
    """Asked again after `Invalid certificate...discarding`."""
    while True:
        pem = await console.read_block(prompt)
        try:
            return certs.parse_certificate(pem)
        except CertError:
            console.say(texts.INVALID_CERT)


async def _paste_key(console: Console, leaf: x509.Certificate) -> certs.PrivateKey:
    """Read without echo; asked again if unreadable or not the certificate's key."""
    while True:
        pem = await console.read_block(texts.PASTE_KEY, secret=True)
        try:
            key = certs.parse_private_key(pem)
        except CertError:
            console.say(texts.INVALID_KEY)
            continue
        if certs.key_matches(leaf, key):
            return key
        console.say(texts.KEY_MISMATCH)
