"""Downgrade alerts: a partner whose certificate verified yesterday (the queue's clock,
moved by the test) and does not verify today produces exactly one alert, class System,
severity Warning, in a real Postfix Maildir; every weaker delivery gets its mail_logs line.
Also: the pure rule (downgrade.judge) as a table, and the statistics failing without
touching mail."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import re
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.queue.manager import QueueOptions
from engine.service import Engine
from engine.tlsstats import downgrade
from engine.tlsstats.events import OUTBOUND, Event, Outcome4
from state.model import (
    AlertRecipient,
    Alerts,
    Certificate,
    DestinationEntry,
    RatAction,
    RatEntry,
    TLSMode,
    replace,
)
from tests.engine import builders
from tests.engine.outbound_kit import FakeClock, outbound_config
from tests.kit.certs import server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.postfix import PostfixServer, available
from tests.kit.waiting import wait_until_async

POSTFIX_IP, PARTNER_IP = "127.0.0.41", "127.0.0.42"
DOMAIN, MX = "postfix.test", "mx.postfix.test"
PARTNER, PARTNER_MX = "partner.test", "mx.partner.test"
DAY = 86400.0
SUBJECT = b"Subject: Warning <System> mail.test: TLS downgrade to partner.test"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts={MX: POSTFIX_IP, PARTNER_MX: PARTNER_IP},
                   mx=[(DOMAIN, MX, 10), (PARTNER, PARTNER_MX, 10)]) as server:
        yield server


@pytest.fixture(scope="module")
def postfix(ca: trustme.CA) -> Iterator[PostfixServer]:
    reason = available()
    if reason is not None:
        pytest.skip(reason)
    with PostfixServer.signed_by(ca, POSTFIX_IP, DOMAIN, ["admin"]) as server:
        yield server


def send(engine: Engine, subject: str) -> None:
    port = engine.bound_port("InboundMail")
    assert port is not None
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("a@sender.test", [f"v@{PARTNER}"],
                        f"Subject: {subject}\r\n\r\nhello\r\n".encode())


async def test_verified_yesterday_unverified_today_alerts_once(
    ca: trustme.CA, dns: DnsServer, postfix: PostfixServer, test_cert: Certificate,
    tmp_path: Path,
) -> None:
    rat = tuple(RatEntry(address=d, action=RatAction.ACCEPT) for d in (DOMAIN, PARTNER))
    listen = builders.listener(rat=(*rat, RatEntry(address="ALL", action=RatAction.REJECT)))
    out = outbound_config(ca, dns.port, TLSMode.REQUIRED_VERIFY, domain=DOMAIN)
    config = replace(
        builders.config(listen, certificates=(test_cert,)),
        authorities=out.authorities,
        dns=out.dns,
        alerts=Alerts(recipients=(AlertRecipient(f"admin@{DOMAIN}", ("System",), ("Warning",)),)),
        destinations=replace(
            out.destinations,
            entries=(
                *out.destinations.entries,
                DestinationEntry(domain=PARTNER, tls=TLSMode.PREFERRED),
            ),
        ),
    )
    clock = FakeClock()
    before = len(postfix.maildir_messages("admin"))
    options = QueueOptions(mx_port=postfix.port, clock=clock)
    partner = FakeMX(Behaviour(context=server_context(ca, PARTNER_MX)), host=PARTNER_IP,
                     port=postfix.port)
    async with partner, running_engine(tmp_path, config, outbound=options) as engine:
        await asyncio.to_thread(send, engine, "yesterday")
        await wait_until_async(lambda: len(partner.messages) == 1, timeout=10)
        await wait_until_async(
            lambda: engine.stats is not None and engine.stats.settled, timeout=10
        )
        clock.t += DAY
        partner.behaviour = Behaviour(context=server_context(ca, "someone-else.test"))
        for n in (2, 3):  # the second weaker delivery, within the hour: logged, no alert
            await asyncio.to_thread(send, engine, f"today {n}")
            await wait_until_async(lambda n=n: len(partner.messages) == n, timeout=10)
            await wait_until_async(lambda: engine.stats is not None and engine.stats.settled)
        await wait_until_async(lambda: len(postfix.maildir_messages("admin")) > before, timeout=15)
        await wait_until_async(lambda: "Message finished" in read_mail_logs(tmp_path))
    alerts = [m for m in postfix.maildir_messages("admin")[before:] if SUBJECT in m]
    assert len(alerts) == 1
    body = email.message_from_bytes(alerts[0], policy=email.policy.default)
    text = body.get_content()  # type: ignore[attr-defined]
    assert "TLS with partner.test (outbound) is weaker than before: certificate not verified" \
        " (it verified before)." in text
    lines = [li for li in read_mail_logs(tmp_path).splitlines() if "TLS downgrade" in li]
    pattern = (r".* Warning: DCID (\d+) TLS downgrade to partner\.test: certificate not verified"
               r" \(it verified before\)")
    found = [re.fullmatch(pattern, li) for li in lines]
    assert len(found) == 2 and all(found)
    first = found[0]
    assert first is not None and f"Seen on DCID {first.group(1)}: {PARTNER_MX} ({PARTNER_IP})." \
        in text


def event(tls: bool = True, verified: bool = True, version: str = "TLSv1.3",
          level: TLSMode = TLSMode.PREFERRED, checked: bool = True) -> Event:
    return Event(OUTBOUND, 0.0, 1, PARTNER, PARTNER_MX, PARTNER_IP, level, "destination control",
                 True, Outcome4.TLS if tls else Outcome4.CLEAR, verified=verified,
                 version=version if tls else "", verify_result="" if checked and verified else
                 ("certificate-host-mismatch" if checked else "unknown"))


def refused(verify_result: str) -> Event:
    """A handshake that did not finish: ended by our certificate check, or broken."""
    return dataclasses.replace(event(tls=False, verified=False, level=TLSMode.REQUIRED_VERIFY),
                   outcome=Outcome4.FAILED, verify_result=verify_result)


BEST = downgrade.Best(True, True, "TLSv1.3", seen=0.0)


@pytest.mark.parametrize(("seen", "changes"), [
    (event(), ()),
    (event(verified=False), ("certificate not verified (it verified before)",)),
    (event(verified=False, checked=False), ()),  # not checked: nothing to compare
    (event(tls=False), ("no TLS (it used TLS before)",)),
    (event(tls=False, level=TLSMode.NO), ()),  # TLS never tried: says nothing
    (event(version="TLSv1.2"), ("TLSv1.2 (it used TLSv1.3 before)",)),
    (event(version="TLSv1.2", verified=False),
     ("certificate not verified (it verified before)", "TLSv1.2 (it used TLSv1.3 before)")),
    # a handshake our Verify check ended: TLS it was, the certificate is what changed
    (refused("certificate-expired"), ("certificate not verified (it verified before)",)),
    (refused("validation-failure"), ("no TLS (it used TLS before)",)),  # it broke
])
def test_what_is_weaker(seen: Event, changes: tuple[str, ...]) -> None:
    kept, down = downgrade.judge(BEST, seen, 100.0)
    assert (down.changes if down else ()) == changes
    assert (kept.tls, kept.verified, kept.version) == (True, True, "TLSv1.3")


def test_a_partner_never_verified_is_no_downgrade_when_verify_is_required() -> None:
    """Preferred took its expired certificate; Required - Verify now refuses it: nothing
    of the partner's changed, so no line and no alert on every retry."""
    unverified = downgrade.Best(True, False, "TLSv1.3", seen=0.0)
    kept, down = downgrade.judge(unverified, refused("certificate-expired"), 100.0)
    assert down is None and kept.tls and not kept.verified


def test_alerts_are_throttled_per_hour() -> None:
    weak = event(verified=False)
    kept, first = downgrade.judge(BEST, weak, 10_000.0)
    assert first is not None and first.alert
    kept, second = downgrade.judge(kept, weak, 10_000.0 + 3599)
    assert second is not None and not second.alert
    _, third = downgrade.judge(kept, weak, 10_000.0 + 3600)
    assert third is not None and third.alert
