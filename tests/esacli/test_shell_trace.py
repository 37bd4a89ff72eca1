"""`trace` transcripts against real DNS (dnsmasq): an inbound partner, an outsider, and a
destination with a staged change (committed versus this session's pending changes), the
dialog with its re-asked answers, and Ctrl-C / Ctrl-D inside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from esacli.console import ScriptedConsole
from state.model import TLSMode, replace
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.engine.tlsstats_kit import HOSTS, MX, gateway
from tests.esacli.test_shell_tls_reports import committable
from tests.kit.certs import issue_certificate
from tests.kit.dnsserver import DnsServer
from tests.kit.shell import run_shell, transcript

PORT = 2600  # the MXs' port in the routes (nothing listens: trace sends nothing)


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts=HOSTS, mx=MX) as server:
        yield server


@pytest.fixture
def gateway_session(tmp_path: Path, ca: trustme.CA, dns: DnsServer) -> Session:
    secrets = Secrets(tmp_path)
    config = committable(gateway(ca, dns, issue_certificate(ca, secrets, "Test")), PORT)
    listeners = tuple(replace(li, port=2525) for li in config.listeners)
    store = Store(tmp_path)
    store.write(replace(config, listeners=listeners), None, "admin", "test", "gateway")
    return Session(store, secrets, "admin", "test")


def stage_wrong_test(mine: Session) -> None:
    dest = mine.candidate.destinations
    entries = tuple(replace(e, tls=TLSMode.REQUIRED_VERIFY) if e.domain == "wrong.test" else e
                    for e in dest.entries)
    mine.stage(replace(mine.candidate, destinations=replace(dest, entries=entries)))


async def test_an_inbound_partner(gateway_session: Session) -> None:
    screen = await run_shell(gateway_session, ["trace 127.0.0.2 u@example.com,x@nowhere.test",
                                               "exit"])
    assert screen == transcript("""
        mail.test> trace 127.0.0.2 u@example.com,x@nowhere.test

        Result (against the committed configuration, version 1, nothing was sent):

        Host Access Table Processing
          Listener:             InboundMail (127.0.0.1:2525)
          Client:               127.0.0.2
          PTR name:             mx1.alpha.test (forward-confirmed)
          Sender group:         PARTNERS (row 1, matched by ".alpha.test")
          Mail flow policy:     REQ
          Connection behavior:  ACCEPT
          TLS:                  Required: STARTTLS offered and required before MAIL FROM
          Client certificate:   not asked for
          TLS report domain:    alpha.test

        Recipient Access Table Processing
          u@example.com: ACCEPT (entry "example.com")
          x@nowhere.test: REJECT (entry "ALL")

        Delivery Processing: example.com
          Destination control:  DEFAULT: TLS No, defer when TLS fails
          Route:                none: MX records
          No delivery: example.com: domain does not exist

        mail.test> exit
        """)


async def test_an_outsider(gateway_session: Session) -> None:
    screen = await run_shell(gateway_session, ["trace", "127.0.0.300", "127.0.0.9",
                                               "outsider.test", "", "", "bad address",
                                               "u@good.test", "exit"])
    assert screen == transcript("""
        mail.test> trace

        Enter the source IP
        []> 127.0.0.300

        Invalid IP address "127.0.0.300".

        Enter the source IP
        []> 127.0.0.9

        Enter the name the client gives in EHLO (blank for none)
        []> outsider.test

        Enter the name in the client's certificate (blank for none)
        []> $

        Select the listener to trace behavior on:
        1. InboundMail
        [1]> $

        Enter the Envelope Recipient addresses.  Separate multiple addresses by commas.
        []> bad address

        Invalid address "bad address".

        Enter the Envelope Recipient addresses.  Separate multiple addresses by commas.
        []> u@good.test

        Result (against the committed configuration, version 1, nothing was sent):

        Host Access Table Processing
          Listener:             InboundMail (127.0.0.1:2525)
          Client:               127.0.0.9 (EHLO outsider.test; certificate name none)
          PTR name:             none (no PTR record)
          Sender group:         ALL (row 2, matched by "ALL")
          Mail flow policy:     ACCEPTED
          Connection behavior:  ACCEPT
          TLS:                  Preferred: STARTTLS offered
          Client certificate:   not asked for
          TLS report domain:    [127.0.0.9]

        Recipient Access Table Processing
          u@good.test: ACCEPT (entry "good.test")

        Delivery Processing: good.test
          Destination control:  good.test: TLS Preferred, defer when TLS fails
          Route:                good.test -> mx.good.test:2600
          Mail exchanger:       mx.good.test (127.0.0.21) port 2600, preference 0
            TLS plan: Preferred, decided by destination control

        mail.test> exit
        """)


async def test_a_destination_with_a_staged_change(gateway_session: Session) -> None:
    stage_wrong_test(gateway_session)
    screen = await run_shell(gateway_session, [
        "trace destination wrong.test committed", "trace destination wrong.test",
        "trace", "2", "", "exit", "y"])
    assert screen == transcript("""
        mail.test> trace destination wrong.test committed

        Result (against the committed configuration, version 1, nothing was sent):

        Delivery Processing: wrong.test
          Destination control:  wrong.test: TLS Preferred, defer when TLS fails
          Route:                wrong.test -> mx.wrong.test:2600
          Mail exchanger:       mx.wrong.test (127.0.0.22) port 2600, preference 0
            TLS plan: Preferred, decided by destination control

        mail.test> trace destination wrong.test

        Result (against this session's pending changes, nothing was sent):

        Delivery Processing: wrong.test
          Destination control:  wrong.test: TLS Required - Verify, defer when TLS fails
          Route:                wrong.test -> mx.wrong.test:2600
          Mail exchanger:       mx.wrong.test (127.0.0.22) port 2600, preference 0
            TLS plan: Required - Verify, decided by destination control
            Names a Verify check accepts: wrong.test, mx.wrong.test

        mail.test> trace

        Trace against which configuration?
        1. The committed configuration
        2. This session's pending changes
        [2]> 2

        Enter the source IP
        []> $

        mail.test> exit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> y
        """)


@pytest.mark.parametrize("key", [ScriptedConsole.CTRL_C, ScriptedConsole.CTRL_D])
async def test_ctrl_c_and_ctrl_d_leave_the_dialog(gateway_session: Session, key: str) -> None:
    stage_wrong_test(gateway_session)
    screen = await run_shell(gateway_session, ["trace", key, "trace", "1", "127.0.0.2", key,
                                               "trace 127.0.0.2 committed", "exit", "y"])
    assert screen.count("Result (against") == 1 and gateway_session.pending
    assert "Sender group:         PARTNERS" in screen
