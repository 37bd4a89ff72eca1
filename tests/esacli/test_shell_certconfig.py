"""certconfig transcripts (§7.1-7.2): the demo warning, the list, PASTE and its errors."""

from __future__ import annotations

import datetime as dt
import time

from state import certs, model
from state.defaults import DEMO_CERT
from state.edit import listeners as _edit
from state.model import TLSMode
from state.session import Session
from tests.kit.certs import Chain, pem_lines
from tests.kit.shell import NOW, LocalAppliance, load, run_shell, transcript


def demo_days(session: Session) -> str:
    demo = model.by_name(session.candidate.certificates, DEMO_CERT)
    assert demo is not None
    info = certs.describe(certs.parse_certificate(demo.chain[0]))
    return str(info.remaining_days(dt.datetime.fromtimestamp(NOW, dt.UTC)))


def fill(text: str, chain: Chain, session: Session) -> str:
    return (text.replace("{leaf}", chain.leaf.strip())
            .replace("{intermediate}", chain.intermediate.strip())
            .replace("{demo_days}", demo_days(session)))


def key_lines(chain: Chain) -> list[str]:
    """The base64 body lines of both keys used in these tests."""
    return [line for pem in (chain.key, chain.other_key) for line in pem.splitlines()[1:-1]]


async def test_paste_with_errors_then_list(session: Session, chain: Chain) -> None:
    lines = ["certconfig", "", "certificate", "paste", "", "partner",
             "garbage", ".", *pem_lines(chain.leaf),
             "garbage", ".", *pem_lines(chain.other_key), *pem_lines(chain.key),
             "y", *pem_lines(chain.intermediate), "", "y", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == fill(load("cert_paste"), chain, session)
    profile = model.by_name(session.candidate.certificates, "partner")
    assert profile is not None
    assert profile.chain == (chain.leaf, chain.intermediate)
    assert session.secrets.has_key(profile.key_id)
    assert certs.key_id(certs.parse_private_key(chain.key)) == profile.key_id


async def test_private_key_never_shown(session: Session, chain: Chain) -> None:
    lines = ["certconfig", "", "certificate", "paste", "partner", *pem_lines(chain.leaf),
             *pem_lines(chain.other_key), *pem_lines(chain.key), "", "", "", "", "showchanges",
             "exit", "y"]
    screen = await run_shell(session, lines)
    shown = repr(session.showchanges())
    for line in key_lines(chain):
        assert line not in screen
        assert line not in shown
    assert "PRIVATE KEY" not in screen + shown


async def test_paste_use_on_listener_and_commit(appliance: LocalAppliance, chain: Chain) -> None:
    session = appliance.session()
    # TLS is switched on directly: the HOSTACCESS dialog is not what this test is about
    inbound = model.by_name(session.candidate.listeners, "InboundMail")
    assert inbound is not None
    tls_on = _edit.with_default_params(
        inbound, model.replace(inbound.hat.default, tls=TLSMode.PREFERRED))
    session.stage(_edit.put_listener(session.candidate, "InboundMail", tls_on))
    lines = ["certconfig", "", "certificate", "paste", "partner", *pem_lines(chain.leaf),
             *pem_lines(chain.key), "", "", "paste", "partner", "n", "", "",
             "listenerconfig", "edit", "1", "certificate", "2", "", "", "commit", "cert",
             "exit"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Enter a name for this certificate profile:
        > partner

        Certificate profile "partner" already exists. Do you want to overwrite with this new one? [N]> n
        """) in screen
    assert transcript("""
        Please choose the certificate to use for TLS on this listener.
        1. Demo
        2. partner
        [1]> 2
        """) in screen
    assert "Do you really wish to use the demo certificate?" not in screen
    head = appliance.store.load()
    inbound = model.by_name(head.listeners, "InboundMail")
    assert inbound is not None
    assert (inbound.certificate, inbound.hat.default.tls) == ("partner", TLSMode.PREFERRED)


async def test_bad_intermediate_is_discarded_and_asked_again(session: Session,
                                                             chain: Chain) -> None:
    lines = ["certconfig", "", "certificate", "paste", "p2", *pem_lines(chain.leaf),
             *pem_lines(chain.key), "y", "not a cert", ".", "y", *pem_lines(chain.intermediate),
             "n", "n", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Paste intermediate certificate in PEM format (end with '.'):
        not a cert
        .

        Invalid certificate...discarding

        Do you want to add an intermediate certificate? [N]> y

        Paste intermediate certificate in PEM format (end with '.'):
        """) in screen
    profile = model.by_name(session.candidate.certificates, "p2")
    assert profile is not None and len(profile.chain) == 2


async def test_fqdn_check_refuses_a_plain_common_name(session: Session) -> None:
    key = certs.generate_key()
    start = dt.datetime.fromtimestamp(NOW, dt.UTC)
    pem = certs.normalise_pem(certs.self_signed(key, "Partner Cert", now=start))
    key_pem = certs.key_pem(key).decode()
    lines = ["certconfig", "", "certificate", "paste", "p3", *pem_lines(pem), *pem_lines(key_pem),
             "", "y", "", "", "exit"]
    # the real clock: the certificate was made with it (the kit's NOW is the import time)
    screen = await run_shell(session, lines, clock=time.time)
    assert transcript("""
        Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format? [N]> y

        The Common Name "Partner Cert" is not in FQDN format. The certificate was not added.
        """) in screen
    assert not session.pending


async def test_no_demo_warning_when_no_listener_uses_it(session: Session) -> None:
    config = session.candidate
    for li in config.listeners:
        config = _edit.edit_listener(config, li.name, certificate="partner")
    dest = model.replace(config.destinations, client_certificate="partner")
    config = model.replace(config, destinations=dest)
    session.stage(config)
    screen = await run_shell(session, ["certconfig", "", "exit", "y"])
    assert screen == transcript("""
        mail.example.com> certconfig

        Choose the operation you want to perform:
        - CERTIFICATE - Import, Create a request, Edit or Remove Certificate Profiles
        - CERTAUTHORITY - Manage System and Customized Authorities
        []> $

        mail.example.com> exit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> y
        """)


async def test_ctrl_c_in_paste_keeps_nothing(session: Session, chain: Chain) -> None:
    lines = ["certconfig", "", "certificate", "paste", "p4", *pem_lines(chain.leaf), "\x03", "exit"]
    await run_shell(session, lines)
    assert not session.pending
