"""REQUIRETLS (RFC 8689) end to end: accepted over TLS only, kept with the message, delivered
only to an MX that DANE (or MTA-STS enforce) authenticates and that offers REQUIRETLS,
bounced otherwise (5.7.30 when only the keyword is missing, 5.7.10 when no authenticated
TLS can be had), its bounce itself sent under REQUIRETLS; and the `TLS-Required: No` header,
which sets DANE and MTA-STS aside for its message but never the destination control.
Real servers on loopback: the listener, NSD + Unbound with signed zones, fake MXs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import replies
from engine.queue.manager import QueueOptions
from state.model import (
    Behavior,
    Certificate,
    Config,
    DestinationEntry,
    Policy,
    SenderGroup,
    TLSMode,
    replace,
)
from tests.engine.builders import config, hat, listener
from tests.engine.dnspolicy_world import BY_LABEL, Mxs, fake_mxs, gateway, zones
from tests.engine.outbound_kit import FakeClock
from tests.kit import dnssec
from tests.kit.certs import insecure_client_context
from tests.kit.dnssec import SignedDns
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

pytestmark = pytest.mark.skipif(not dnssec.available(), reason="nsd, unbound, ldnsutils needed")

SENDER = f"a@{BY_LABEL['e2e-ee'].domain}"  # a REQUIRETLS-capable DANE domain: bounces arrive


@pytest.fixture(scope="module")
def signed() -> Iterator[SignedDns]:
    with SignedDns(zones(web_port=0)) as server:  # no HTTPS here: no MTA-STS policy
        yield server


def relay(dns_port: int, test_cert: Certificate, *entries: DestinationEntry) -> Config:
    """OutboundMail-like: 127.0.0.1 relays over STARTTLS (offered), out through the gateway."""
    the_hat = hat(TLSMode.PREFERRED,
                  groups=(SenderGroup(name="RELAYLIST", senders=("127.0.0.1",), policy="RELAYED"),),
                  policies=(Policy(name="RELAYED", behavior=Behavior.RELAY),))
    inbound = config(listener(the_hat=the_hat), certificates=(test_cert,))
    out = gateway(dns_port, *entries)
    return replace(inbound, authorities=out.authorities, destinations=out.destinations,
                   dns=out.dns)


def options(mxs: Mxs, clock: FakeClock) -> QueueOptions:
    return QueueOptions(mx_port=mxs.port, clock=clock, poll_interval=0.02)


async def over_tls(port: int) -> RawSmtp:
    smtp = await RawSmtp.connect(port)
    assert (await smtp.reply())[0] == 220
    await smtp.cmd("EHLO client.test")
    assert (await smtp.cmd("STARTTLS"))[0] == 220
    await smtp.starttls(insecure_client_context())
    code, lines = await smtp.cmd("EHLO client.test")
    assert code == 250 and "250-REQUIRETLS" in lines  # offered over TLS
    return smtp


async def send(smtp: RawSmtp, rcpt: str, requiretls: bool = False, header: str = "") -> int:
    """One message on `smtp`; its MID."""
    option = " REQUIRETLS" if requiretls else ""
    assert (await smtp.cmd(f"MAIL FROM:<{SENDER}>{option}"))[0] == 250
    assert (await smtp.cmd(f"RCPT TO:<{rcpt}>"))[0] == 250
    assert (await smtp.cmd("DATA"))[0] == 354
    code, lines = await smtp.cmd(f"Subject: t\r\n{header}\r\nhello\r\n.")
    assert code == 250, lines
    found = re.search(r"Message (\d+) accepted", lines[-1])
    assert found is not None
    return int(found.group(1))


def fate(data: Path, mid: int) -> str:
    log = read_mail_logs(data)
    found = re.search(rf"(Delayed|Bounced): DCID \d+ MID {mid} to RID 0 - (.*)", log)
    if found:
        return f"{found.group(1)}: {found.group(2)}"
    return "done" if f"Message finished MID {mid} done" in log else ""


async def test_requiretls_in_clear_is_refused_and_never_offered(
    signed: SignedDns, tmp_path: Path, test_cert: Certificate
) -> None:
    async with running_engine(tmp_path, relay(signed.port, test_cert)) as engine:
        smtp = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await smtp.reply()
        code, lines = await smtp.cmd("EHLO client.test")
        assert code == 250 and "250-STARTTLS" in lines and "250-REQUIRETLS" not in lines
        assert await smtp.cmd(f"MAIL FROM:<{SENDER}> REQUIRETLS") == (
            530, [replies.REQUIRETLS_NEEDS_TLS])
        assert (await smtp.cmd(f"MAIL FROM:<{SENDER}>"))[0] == 250  # the session goes on
        await smtp.close()
        tls = await over_tls(engine.bound_port("InboundMail"))
        assert await tls.cmd(f"MAIL FROM:<{SENDER}> REQUIRETLS=YES") == (
            501, [replies.REQUIRETLS_SYNTAX])
        assert (await tls.cmd(f"MAIL FROM:<{SENDER}> SIZE=100 requiretls"))[0] == 250
        await tls.close()


async def test_requiretls_and_tls_required_no_end_to_end(
    signed: SignedDns, tmp_path: Path, test_cert: Certificate
) -> None:
    domains = {label: BY_LABEL[label].domain for label in BY_LABEL}
    entries = (  # explicit controls: a floor the header cannot lower
        DestinationEntry(domain=domains["e2e-plain"], tls=TLSMode.REQUIRED_VERIFY),
        DestinationEntry(domain=domains["e2e-stsbad"], tls=TLSMode.REQUIRED_VERIFY),
    )
    labels = ("e2e-ee", "e2e-ta", "e2e-plain", "e2e-mm", "e2e-stsbad")
    async with fake_mxs(labels) as mxs, running_engine(
            tmp_path, relay(signed.port, test_cert, *entries),
            outbound=options(mxs, FakeClock())) as engine:
        smtp = await over_tls(engine.bound_port("InboundMail"))
        mids = {
            "dane": await send(smtp, f"u@{domains['e2e-ee']}", requiretls=True),
            "no keyword": await send(smtp, f"u@{domains['e2e-ta']}", requiretls=True,
                                     header="TLS-Required: No\r\n"),
            "no dane": await send(smtp, f"u@{domains['e2e-plain']}", requiretls=True),
            "relaxed": await send(smtp, f"u@{domains['e2e-mm']}", header="TLS-Required: No\r\n"),
            "floor": await send(smtp, f"u@{domains['e2e-stsbad']}",
                                header="TLS-Required:  no\r\n"),
        }
        await smtp.close()
        await wait_until_async(lambda: all(fate(tmp_path, m) for m in mids.values()), 20,
                               "every message's first outcome")
        await wait_until_async(lambda: len(mxs["e2e-ee"].messages) == 3, what="two bounces")
    got = {name: fate(tmp_path, mid) for name, mid in mids.items()}
    log = read_mail_logs(tmp_path)
    first = mxs["e2e-ee"].messages[0]
    assert got["dane"] == "done" and first.tls and "REQUIRETLS" in first.mail_params
    assert got["no keyword"] == ("Bounced: 5.7.30 REQUIRETLS support required:"
                                 " mx.e2e-ta.dane.test does not advertise REQUIRETLS")
    assert not mxs["e2e-ta"].messages  # the header is ignored under REQUIRETLS (§4.1)
    assert got["no dane"] == ("Bounced: 5.7.10 REQUIRETLS: mx.e2e-plain.dane.test is"
                              " authenticated neither by DANE nor by an MTA-STS enforce policy")
    assert mxs["e2e-plain"].connections == 0
    for dsn in mxs["e2e-ee"].messages[1:]:  # RFC 8689 §5: the bounces go under REQUIRETLS
        assert dsn.sender == "" and "REQUIRETLS" in dsn.mail_params and dsn.tls
    # TLS-Required: No sets DANE aside (the TLSA mismatch no longer defers)...
    assert got["relaxed"] == "done" and "REQUIRETLS" not in mxs["e2e-mm"].messages[0].mail_params
    assert f"MID {mids['relaxed']} TLS-Required: No: DANE and MTA-STS not applied for" \
           f" {domains['e2e-mm']}" in log
    assert "TLS policy by destination control DEFAULT: TLS preferred, DANE and MTA-STS set" \
           " aside (TLS-Required: No)" in log
    # ... but never an explicit destination control (Required - Verify still defers).
    assert got["floor"] == ("Delayed: 4.7.5 - TLS required ('000', ['unable to get local"
                            " issuer certificate'])")
    assert f"MID {mids['dane']} ICID 1 REQUIRETLS requested" in log


async def test_the_requiretls_flag_survives_a_restart(
    signed: SignedDns, tmp_path: Path, test_cert: Certificate
) -> None:
    clock, rcpt = FakeClock(), f"u@{BY_LABEL['e2e-ee'].domain}"
    async with fake_mxs(()) as mxs, running_engine(  # the MX is down: deferred
            tmp_path, relay(signed.port, test_cert), outbound=options(mxs, clock)) as engine:
        smtp = await over_tls(engine.bound_port("InboundMail"))
        mid = await send(smtp, rcpt, requiretls=True)
        await smtp.close()
        await wait_until_async(lambda: fate(tmp_path, mid).startswith("Delayed"), 10, "deferral")
    clock.t += 3600
    async with fake_mxs(("e2e-ee",)) as mxs, running_engine(tmp_path, outbound=options(mxs, clock)):
        await wait_until_async(lambda: mxs["e2e-ee"].messages, 10, "the retry")
    assert "REQUIRETLS" in mxs["e2e-ee"].messages[0].mail_params
