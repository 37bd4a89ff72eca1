"""Inbound by certificate identity (issue 12), real TLS on loopback.

A partner's certificate from a public CA now carries only the serverAuth extended key
usage; Required - Verify must take it as a client certificate all the same (OpenSSL's
default "TLS client" purpose refuses it). A certificate made for something else (S/MIME)
does not count. A sender group naming a certificate (`cert:partner.example`) decides once
TLS is up: the partner is who holds the partner's certificate, not its address.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from state.model import (
    HAT,
    Authorities,
    Behavior,
    Certificate,
    Config,
    CustomCA,
    Policy,
    SenderGroup,
    TLSMode,
    replace,
)
from tests.engine.builders import config, hat, listener
from tests.engine.dane_kit import Pki
from tests.kit.certs import (
    Issued,
    alt_names,
    basic_constraints,
    build,
    days,
    issue,
    key_pem,
    name,
    new_key,
)
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

pki = Pki()
TRUST = Authorities(system_enabled=False, custom=(CustomCA(name="partners", pem=pki.root.pem),))
PARTNER = issue("partner.example", ("partner.example",), issuer=pki.issuing)  # serverAuth only
OTHER = issue("other.example", ("other.example",), issuer=pki.issuing)
# the partner's name as CN only: its SAN names another host, whose certificate it is
CN_ONLY = issue("partner.example", ("evil.example",), issuer=pki.issuing)
RELAYING = hat(
    TLSMode.PREFERRED,
    groups=(SenderGroup(name="PARTNER", senders=("cert:partner.example",), policy="RELAYED"),),
    policies=(Policy(name="RELAYED", behavior=Behavior.RELAY),),
)


def smime(cn: str) -> Issued:
    """A certificate from the same CA for S/MIME only (emailProtection)."""
    key = new_key()
    usage = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False
    cert = build(name(cn), key, pki.issuing.cert.subject, pki.issuing.key, days(-1, 9),
                 [basic_constraints(False), alt_names((cn,)), usage])
    return Issued(cert, key)


def client(cert: Issued | None) -> ssl.SSLContext:
    """A partner's TLS client presenting `cert` and its issuing CA (server not checked)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert is not None:
        fd, path = tempfile.mkstemp(suffix=".pem")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(cert.pem + pki.issuing.pem + key_pem(cert.key))
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
    return ctx


async def over_tls(port: int, cert: Issued | None) -> RawSmtp:
    smtp = await RawSmtp.connect(port)
    assert (await smtp.reply())[0] == 220
    await smtp.cmd("EHLO partner.example")
    assert (await smtp.cmd("STARTTLS"))[0] == 220
    await smtp.starttls(client(cert))
    return smtp


def gateway(test_cert: Certificate, the_hat: HAT) -> Config:
    cfg = config(listener(the_hat=the_hat), certificates=(test_cert,))
    return replace(cfg, authorities=TRUST)


async def test_a_serverauth_only_certificate_passes_required_verify(
    tmp_path: Path, test_cert: Certificate
) -> None:
    assert x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]) == \
        PARTNER.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    async with running_engine(tmp_path, gateway(test_cert, hat(TLSMode.REQUIRED_VERIFY))) as engine:
        smtp = await over_tls(engine.bound_port("InboundMail"), PARTNER)
        assert (await smtp.cmd("EHLO partner.example"))[0] == 250
        assert (await smtp.cmd("MAIL FROM:<a@partner.example>"))[0] == 250
        assert (await smtp.cmd("RCPT TO:<u@example.com>"))[0] == 250
        await smtp.close()
    log = read_mail_logs(tmp_path)
    assert "ICID 1 TLS success protocol" in log and "TLS failed" not in log


async def test_a_certificate_made_for_smime_does_not_count(
    tmp_path: Path, test_cert: Certificate
) -> None:
    async with running_engine(tmp_path, gateway(test_cert, hat(TLSMode.REQUIRED_VERIFY))) as engine:
        smtp = await over_tls(engine.bound_port("InboundMail"), smime("partner.example"))
        code, lines = await smtp.cmd("EHLO partner.example")
        assert code == 554, lines  # every command but QUIT refused on this session
        assert (await smtp.cmd("MAIL FROM:<a@partner.example>"))[0] == 554
        await smtp.close()
        await wait_until_async(log_has(tmp_path, "ICID 1 TLS client certificate refused:"
                                                 " client certificate not made for TLS"))


async def rcpt_elsewhere(port: int, cert: Issued | None) -> int:
    """RCPT to a domain the RAT refuses: only a RELAY row lets it through."""
    smtp = await over_tls(port, cert)
    await smtp.cmd("EHLO partner.example")
    assert (await smtp.cmd("MAIL FROM:<a@partner.example>"))[0] == 250
    code, _ = await smtp.cmd("RCPT TO:<u@elsewhere.test>")
    await smtp.cmd("QUIT")
    await smtp.close()
    return code


async def test_a_sender_group_matches_the_certificate_not_the_address(
    tmp_path: Path, test_cert: Certificate
) -> None:
    async with running_engine(tmp_path, gateway(test_cert, RELAYING)) as engine:
        port = engine.bound_port("InboundMail")
        assert await rcpt_elsewhere(port, PARTNER) == 250  # the partner relays
        assert await rcpt_elsewhere(port, OTHER) == 550  # same address, another certificate
        assert await rcpt_elsewhere(port, CN_ONLY) == 550  # a CN is no name beside a SAN
        assert await rcpt_elsewhere(port, None) == 550  # no certificate
        await wait_until_async(log_has(tmp_path, "ICID 4 close"))
    log = read_mail_logs(tmp_path)
    # At connect every client is ALL's; after TLS, only the partner's certificate moves it.
    assert log.count("ACCEPT SG ALL match ALL SBRS None") == 4
    assert "ICID 1 RELAY SG PARTNER match cert:partner.example SBRS None" in log
    assert "SG PARTNER" not in log.split("ICID 1 close")[1]


async def test_a_refused_client_certificate_is_said_in_words(
    tmp_path: Path, test_cert: Certificate
) -> None:
    """The handshake's failure as OpenSSL's verification words, not its reason code."""
    stranger = issue("partner.example", ("partner.example",))  # self-signed
    async with running_engine(tmp_path, gateway(test_cert, hat(TLSMode.REQUIRED_VERIFY))) as engine:
        smtp = await RawSmtp.connect(engine.bound_port("InboundMail"))
        assert (await smtp.reply())[0] == 220
        await smtp.cmd("EHLO partner.example")
        assert (await smtp.cmd("STARTTLS"))[0] == 220
        with contextlib.suppress(ssl.SSLError, OSError):
            await smtp.starttls(client(stranger))
            await smtp.cmd("EHLO partner.example")
        await smtp.close()
        await wait_until_async(log_has(tmp_path, "ICID 1 TLS failed: "))
    failed = next(line for line in read_mail_logs(tmp_path).splitlines() if "TLS failed" in line)
    assert failed.endswith("ICID 1 TLS failed: self-signed certificate"), failed
