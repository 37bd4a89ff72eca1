"""sslconfig transcripts (§8.1): the settings block, INBOUND/OUTBOUND
(method list, cipher string re-asked until OpenSSL accepts it), VERIFY, commit."""

from __future__ import annotations

import ssl

from esacli.console import ScriptedConsole
from state import model
from state.model import DEFAULT_CIPHERS, SslDirection, SslSettings, TlsVersion
from state.session import Session
from tests.kit.shell import LocalAppliance, load, run_shell, transcript

V10, V11, V12, V13 = TlsVersion.TLS1_0, TlsVersion.TLS1_1, TlsVersion.TLS1_2, TlsVersion.TLS1_3

MENU = transcript("""
    Choose the operation you want to perform:
    - INBOUND - Edit Inbound SMTP ssl settings.
    - OUTBOUND - Edit Outbound SMTP ssl settings.
    - VERIFY - Verify and show ssl cipher list.
    []> $
    """)


async def test_inbound_bad_ciphers_re_asked_then_committed(appliance: LocalAppliance) -> None:
    lines = ["sslconfig", "inbound", "5", "3", "bogus", "ECDHE+AESGCM:!ECDHE",
             "ECDHE+AESGCM:ADH-AES128-GCM-SHA256", "ECDHE+AESGCM:!AES256", "",
             "showchanges", "commit", "inbound TLS 1.2 only", "exit"]
    screen = await run_shell(appliance.session(), lines)
    assert screen.startswith(load("ssl_inbound"))
    assert screen.endswith("\nmail.example.com> exit\n") and "Changes committed: " in screen
    assert appliance.store.load().ssl == SslSettings(
        inbound=SslDirection(min_version=V12, max_version=V12, ciphers="ECDHE+AESGCM:!AES256"))


async def test_outbound_tls13_only_keeping_the_ciphers(session: Session) -> None:
    lines = ["sslconfig", "OUT", "2", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript("""
        []> OUT

        Enter the outbound SMTP ssl method you want to use.
        1. TLS v1.2 and v1.3
        2. TLS v1.3
        3. TLS v1.2
        4. TLS v1.0 to v1.3 (not recommended)
        [1]> 2

        Enter the outbound SMTP ssl cipher you want to use.
        [ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5]> $

        sslconfig settings:
          Inbound SMTP method: TLS v1.2 and v1.3
          Inbound SMTP ciphers:
              ECDHE+AESGCM
              ECDHE+CHACHA20
              !aNULL
              !MD5
          Outbound SMTP method: TLS v1.3
          Outbound SMTP ciphers:
              ECDHE+AESGCM
              ECDHE+CHACHA20
              !aNULL
              !MD5
        """) + "\n" + MENU in screen
    assert session.candidate.ssl == SslSettings(outbound=SslDirection(min_version=V13))


async def test_legacy_method_warns_and_needs_ciphers_it_can_use(session: Session) -> None:
    lines = ["sslconfig", "inbound", "4", "", DEFAULT_CIPHERS + ":ECDHE+AES", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript(f"""
        4. TLS v1.0 to v1.3 (not recommended)
        [1]> 4

        Warning: TLS v1.0 and v1.1 are insecure; allow them only for peers that cannot use
        TLS v1.2. Allowing them also lowers OpenSSL's security level (weaker keys and
        signatures are accepted) for every inbound SMTP connection.

        Enter the inbound SMTP ssl cipher you want to use.
        [{DEFAULT_CIPHERS}]> $

        The cipher string "{DEFAULT_CIPHERS}" selects no cipher TLS v1.0 or v1.1 can use (add for example ECDHE+AES).

        Enter the inbound SMTP ssl cipher you want to use.
        [{DEFAULT_CIPHERS}]> {DEFAULT_CIPHERS}:ECDHE+AES

        sslconfig settings:
          Inbound SMTP method: TLS v1.0 to v1.3 (not recommended)
        """) in screen
    assert session.candidate.ssl.inbound == SslDirection(
        min_version=V10, ciphers=DEFAULT_CIPHERS + ":ECDHE+AES")


async def test_an_unlisted_method_is_offered_so_enter_keeps_it(session: Session) -> None:
    odd = SslDirection(min_version=V11, max_version=V12, ciphers="ECDHE+AES")
    session.stage(model.replace(session.candidate, ssl=SslSettings(inbound=odd)))
    screen = await run_shell(session, ["sslconfig", "inbound", "", "", "", "exit", "y"])
    assert ("  Inbound SMTP method: TLS v1.1 and v1.2 (not recommended)\n"
            "  Inbound SMTP ciphers:\n"
            "      ECDHE+AES\n") in screen
    assert transcript("""
        4. TLS v1.0 to v1.3 (not recommended)
        5. TLS v1.1 and v1.2 (not recommended)
        [5]> $
        """) in screen
    assert session.candidate.ssl.inbound == odd


def expected_expansion(ciphers: str) -> list[str]:
    """Straight from OpenSSL: the TLS <= 1.2 names, then the TLS 1.3 suites."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers(ciphers)
    every = ctx.get_ciphers()
    return ([c["name"] for c in every if c["protocol"] != "TLSv1.3"],
            [c["name"] for c in every if c["protocol"] == "TLSv1.3"])


async def test_verify_shows_the_expansion_and_changes_nothing(session: Session) -> None:
    lines = ["sslconfig", "verify", "ECDHE+AESGCM:!ECDSA", "verify", "bogus", "verify", "",
             "", "exit"]
    screen = await run_shell(session, lines)
    tls12, tls13 = expected_expansion("ECDHE+AESGCM:!ECDSA")
    assert tls12 == ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"]
    listing = "\n".join([
        "Ciphers selected for TLS v1.2 and below:", *tls12,
        "TLS v1.3 cipher suites (chosen by OpenSSL, not by the cipher string):", *tls13,
    ])
    assert transcript("""
        Enter the ssl cipher you want to verify.
        []> ECDHE+AESGCM:!ECDSA
        """) + "\n" + listing + "\n\nsslconfig settings:\n" in screen
    assert transcript("""
        Enter the ssl cipher you want to verify.
        []> bogus

        Not a valid cipher string: "bogus" (no cipher can be selected).

        sslconfig settings:
        """) in screen
    assert transcript("""
        Enter the ssl cipher you want to verify.
        []> $

        sslconfig settings:
        """) in screen
    assert not session.pending


async def test_ctrl_c_drops_the_unfinished_edit(session: Session) -> None:
    lines = ["sslconfig", "inbound", "2", ScriptedConsole.CTRL_C, "exit"]
    await run_shell(session, lines)
    assert not session.pending


async def test_commit_refuses_invalid_ssl_settings(appliance: LocalAppliance) -> None:
    """Settings that reach the candidate without the dialog are checked at commit."""
    session = appliance.session()
    bad = SslDirection(min_version=V13, max_version=V12, ciphers="nonsense")
    session.stage(model.replace(session.candidate, ssl=SslSettings(outbound=bad)))
    screen = await run_shell(session, ["commit", "bad", "exit", "y"])
    assert transcript("""
        The configuration is not valid:
        ssl.outbound.min_version: The minimum TLS version (TLSv1.3) must not be above the maximum (TLSv1.2).
        ssl.outbound.ciphers: Not a valid cipher string: "nonsense" (no cipher can be selected).
        Nothing was committed. Your changes are still pending.
        """) in screen
    assert appliance.store.load().ssl == SslSettings()
