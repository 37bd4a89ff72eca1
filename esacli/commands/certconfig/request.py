"""certconfig CERTIFICATE -> NEW and EDIT (§7.2).

NEW generates the key on the appliance (it goes straight to the secrets area),
and the profile holds a self-signed certificate plus the CSR. EDIT pastes the
CA-signed certificate back: it is accepted only for the profile's own key.
"""

from __future__ import annotations

import functools

from cryptography import x509

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.certconfig import questions
from esacli.commands.context import Context
from esacli.console import Console
from state import certs, model, ranges
from state.model import Certificate
from state.names import is_hostname


async def new(ctx: Context) -> None:
    console = ctx.console
    name = await questions.new_profile_name(ctx)
    if name is None:
        return
    subject = await _subject(console)
    san = await _san(console, subject.common_name)
    days = await value_questions.ask_int(console, texts.cert.CERT_DURATION,
                                         texts.cert.CERT_DEFAULT_DAYS,
                              ranges.CERT_DAYS)
    kind = await _key_type(console)
    key = certs.generate_key(kind)
    cert, csr = certs.request(key, subject, san, days, questions.now(ctx))
    csr_pem = certs.csr_pem(csr)
    profile = Certificate(
        name=name, chain=(certs.normalise_pem(cert),), key_id=ctx.session.put_key(key),
        csr=csr_pem,
    )
    ctx.stage(model.replace(ctx.config, certificates=model.put(ctx.config.certificates, profile)))
    if await console.confirm(texts.cert.VIEW_CSR, True):
        console.say(csr_pem.rstrip("\n"))


async def _subject(console: Console) -> certs.Subject:
    """The subject's questions in the appliance's order; each answer is checked by
    `certs.subject_problem` and its question asked again, so `certs.request` never
    meets a value the name cannot hold."""
    common_name = await _common_name(console)
    organization = await _attribute(console, texts.cert.CERT_ORGANIZATION, "organization")
    unit = await _attribute(console, texts.cert.CERT_UNIT, "unit")
    locality = await _attribute(console, texts.cert.CERT_LOCALITY, "locality")
    state = await _attribute(console, texts.cert.CERT_STATE, "state")
    country = await _country(console)
    return certs.Subject(common_name, organization, unit, locality, state, country)


async def _attribute(console: Console, question: str, field: str) -> str:
    """An optional attribute: empty leaves it out of the name."""
    refusal = functools.partial(certs.subject_problem, field)
    return await value_questions.ask_accepted(console, question, refusal) or ""


async def _common_name(console: Console) -> str:
    while True:
        common_name = await console.ask(texts.cert.CERT_COMMON_NAME)
        why = certs.subject_problem("common_name", common_name, required=True)
        if why is not None:
            console.say(why)
            continue
        if not await console.confirm(texts.cert.CHECK_FQDN, False) or is_hostname(common_name):
            return common_name
        console.say(texts.cert.NOT_FQDN_CN.format(cn=common_name))


async def _country(console: Console) -> str:
    while True:
        country = await console.ask(texts.cert.CERT_COUNTRY)
        why = certs.subject_problem("country", country, required=True)
        if why is None:
            return country.upper()
        console.say(why)


async def _san(console: Console, common_name: str) -> tuple[str, ...]:
    """Host names for the SAN extension; the CN by default when it is a host name
    (TLS clients match names against the SAN only, so a CSR without it rarely works)."""
    default = common_name if is_hostname(common_name) else ""
    while True:
        answer = await console.ask(texts.cert.CERT_SAN, default)
        names = tuple(dict.fromkeys(n.strip().lower() for n in answer.split(",") if n.strip()))
        bad = [n for n in names if not is_hostname(n.removeprefix("*."))]
        if not bad:
            return names
        console.say(texts.cert.BAD_HOSTNAME.format(name=bad[0]))


async def _key_type(console: Console) -> str:
    kinds = list(certs.KEY_TYPES)
    labels = [texts.cert.KEY_TYPE_LABELS[k] for k in kinds]
    default = kinds.index(certs.DEFAULT_KEY_TYPE) + 1
    index = await console.choose(texts.cert.CERT_KEY_TYPE, labels, default, labels)
    return kinds[default - 1 if index is None else index]


async def edit(ctx: Context) -> None:
    console = ctx.console
    profile = await questions.choose_profile(ctx, texts.cert.CERT_EDIT_WHICH)
    if profile is None:
        return
    if profile.csr and await console.confirm(texts.cert.VIEW_CSR, False):
        console.say(profile.csr.rstrip("\n"))
    chain = [certs.parse_certificate(pem) for pem in profile.chain]
    if await console.confirm(texts.cert.UPDATE_CERT, False):
        pasted = await questions.paste_chain(ctx, profile.key_id)
        chain = pasted if len(pasted) > 1 else [pasted[0], *chain[1:]]  # a chain replaces all
    chain = await _remove_intermediates(console, chain)
    chain += await questions.paste_intermediates(ctx, chain[-1])
    if not await questions.fqdn_ok(console, chain[0]):
        return
    edited = model.replace(profile, chain=tuple(certs.normalise_pem(c) for c in chain))
    ctx.stage(model.replace(ctx.config, certificates=model.put(ctx.config.certificates, edited)))


async def _remove_intermediates(
    console: Console, chain: list[x509.Certificate]
) -> list[x509.Certificate]:
    while len(chain) > 1 and await console.confirm(texts.cert.REMOVE_INTERMEDIATE, False):
        labels = [certs.describe(c).common_name for c in chain[1:]]
        index = await console.choose(texts.cert.REMOVE_WHICH, labels)
        if index is not None:
            del chain[index + 1]
    return chain
