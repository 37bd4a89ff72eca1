"""Questions shared by the certconfig dialogs. Each checks its answer and asks again
with the appliance's message; nothing is staged here.

Private keys are read without echo and never written back to the screen.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from cryptography import x509

from esacli import texts
from esacli.commands.context import Context
from esacli.console import Console
from state import certs, model
from state.errors import CertError, EncryptedKey
from state.model import Certificate
from state.names import is_hostname, is_name


def now(ctx: Context) -> dt.datetime:
    return dt.datetime.fromtimestamp(ctx.clock(), dt.UTC)


async def profile_name(console: Console) -> str:
    while True:
        name = await console.ask(texts.cert.CERT_PROFILE_NAME, bare=True)
        if not name:
            console.say(texts.shell.ENTER_A_VALUE)
        elif not is_name(name):
            console.say(texts.shell.VALID_NAME_CHARS)
        else:
            return name


async def new_profile_name(ctx: Context) -> str | None:
    """A profile name for PASTE, NEW or IMPORT; None when the user declines to overwrite."""
    name = await profile_name(ctx.console)
    exists = model.by_name(ctx.config.certificates, name) is not None
    question = texts.cert.CERT_OVERWRITE.format(name=name)
    if exists and not await ctx.console.confirm(question, False):
        return None
    return name


async def choose_profile(ctx: Context, question: str) -> Certificate | None:
    """Pick a profile by number or name; None (empty answer) climbs one level."""
    profiles = ctx.config.certificates
    names = [c.name for c in profiles]
    index = await ctx.console.choose(question, names, None, names)
    return None if index is None else profiles[index]


async def accept_validity(ctx: Context, cert: x509.Certificate) -> bool:
    """Warn about an expired or not-yet-valid certificate; True if it is to be used."""
    problem = certs.validity_problem(cert, now(ctx))
    if problem is None:
        return True
    if problem == "expired":
        message = texts.cert.CERT_EXPIRED.format(date=_date(cert.not_valid_after_utc))
    else:
        message = texts.cert.CERT_NOT_YET_VALID.format(date=_date(cert.not_valid_before_utc))
    ctx.console.say(message)
    return await ctx.console.confirm(texts.cert.USE_ANYWAY, False)


def _date(when: dt.datetime) -> str:
    return when.strftime("%b %d %H:%M:%S %Y GMT")


async def paste_chain(ctx: Context, key_id: str | None = None) -> list[x509.Certificate]:
    """The block pasted at "Paste public certificate": one certificate, or a whole chain
    as a CA sends it (the certificate first, then the intermediates, each issuing the one
    before), taken as the certificate and its intermediates, saying so. Asked again after
    `Invalid certificate...discarding`, after `key does not sign certificate` (when
    `key_id` must match), when the chain is out of order, and when an expired or
    not-yet-valid certificate is refused."""
    console = ctx.console
    while True:
        pem = await console.read_block(texts.cert.PASTE_CERT)
        try:
            chain = certs.parse_certificates(pem)
        except CertError:
            console.say(texts.cert.INVALID_CERT)
            continue
        if key_id is not None and certs.key_id(chain[0]) != key_id:
            console.say(_mismatch(chain, key_id))
            continue
        if not all(certs.issued_by(a, b) for a, b in itertools.pairwise(chain)):
            console.say(texts.cert.NOT_ISSUER)
            continue
        if await _all_valid(ctx, chain):
            if len(chain) > 1:
                console.say(texts.cert.CHAIN_PASTED.format(total=len(chain)))
            return chain


def _mismatch(chain: Sequence[x509.Certificate], key_id: str) -> str:
    """Why the paste's first certificate is refused: not the key's, or in the wrong place."""
    later = [n for n, cert in enumerate(chain, 1) if certs.key_id(cert) == key_id]
    return texts.cert.KEY_CERT_LATER.format(n=later[0]) if later else texts.cert.KEY_MISMATCH


async def _all_valid(ctx: Context, chain: Sequence[x509.Certificate]) -> bool:
    for cert in chain:
        if not await accept_validity(ctx, cert):
            return False
    return True


async def paste_key(console: Console, leaf: x509.Certificate) -> certs.PrivateKey:
    """Read without echo; asked again if unreadable or not the certificate's key."""
    while True:
        pem = await console.read_block(texts.cert.PASTE_KEY, secret=True)
        try:
            key = certs.parse_private_key(pem)
        except EncryptedKey:
            console.say(texts.cert.ENCRYPTED_KEY)
            continue
        except CertError:
            console.say(texts.cert.INVALID_KEY)
            continue
        if certs.key_matches(leaf, key):
            return key
        console.say(texts.cert.KEY_MISMATCH)


async def paste_intermediates(
    ctx: Context, last: x509.Certificate, *, another: bool = False
) -> list[x509.Certificate]:
    """"Do you want to add an intermediate certificate?" (`another` one, when the chain
    has some already) and the pastes that follow.

    Each paste is tried once: an empty one (`.` alone) ends the intermediates, as on the
    appliance; one refused (unreadable, not the issuer of the certificate before it, out
    of validity and not wanted) is discarded and the question asked again, so what was
    pasted before is never lost and No always leaves.
    """
    console = ctx.console
    added: list[x509.Certificate] = []
    question = texts.cert.ADD_ANOTHER_INTERMEDIATE if another else texts.cert.ADD_INTERMEDIATE
    while await console.confirm(question, False):
        pem = await console.read_block(texts.cert.PASTE_INTERMEDIATE)
        if not pem.strip():
            break
        cert = await _intermediate(ctx, pem, last)
        if cert is not None:
            added.append(cert)
            last = cert
            question = texts.cert.ADD_ANOTHER_INTERMEDIATE
    return added


async def _intermediate(
    ctx: Context, pem: str, last: x509.Certificate
) -> x509.Certificate | None:
    """The pasted intermediate, or None after saying why it is discarded."""
    try:
        cert = certs.parse_certificate(pem)
    except CertError:
        ctx.console.say(texts.cert.INVALID_CERT)
        return None
    if not certs.issued_by(last, cert):
        ctx.console.say(texts.cert.NOT_ISSUER)
        return None
    return cert if await accept_validity(ctx, cert) else None


async def fqdn_ok(console: Console, leaf: x509.Certificate) -> bool:
    """The FQDN check question; False (after the message) if the check fails."""
    if not await console.confirm(texts.cert.CHECK_FQDN, False):
        return True
    common_name = certs.describe(leaf).common_name
    if is_hostname(common_name):
        return True
    console.say(texts.cert.NOT_FQDN.format(cn=common_name))
    return False


