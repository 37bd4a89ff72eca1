"""`version`, `dig`, `telnet` and `netstat` in-process (issue 14, network tools): dig
through the resolver the committed dnsconfig names (dnsmasq, and Unbound validating a
signed zone), telnet as a bounded SMTP probe against scripted servers, bad input
refused with the exit status set."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from esacli.commands.tools import netstat, sockets, telnet
from esacli.console import ScriptedConsole
from esacli.shell import Shell, run_session
from state import model
from state.model import DnsSettings
from state.session import Session
from tests.kit import dnssec
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.loopback import DEAD_DNS
from tests.kit.ports import held_port, reserve
from tests.kit.shell import NOW, LocalAppliance, run_shell, transcript

HOSTS = {"mx1.partner.test": "127.0.0.7"}
MX = [("partner.test", "mx1.partner.test", 10)]


def committed_dns(appliance: LocalAppliance, settings: DnsSettings) -> Session:
    """A session on a head whose dnsconfig names `settings`."""
    store = appliance.store
    store.write(model.replace(store.load(), dns=settings), store.head_number(), "admin", "test",
                "dns")
    return appliance.session()


@pytest.fixture(scope="module")
def dnsmasq() -> Iterator[DnsServer]:
    with DnsServer(hosts=HOSTS, mx=MX) as server:
        yield server


async def test_version(session: Session) -> None:
    screen = await run_shell(session, ["version", "version extra", "exit"])
    head = screen.split("Configuration version: ")[1].split("\n")[0]
    assert head.startswith("1 (committed ") and head.endswith(" by admin)")
    assert "Current Version\n===============\nProduct:  " in screen
    assert "Product:               esacli Email Gateway\n" in screen
    assert "mail.example.com> version extra\n\nUsage: version\n" in screen


async def test_dig_an_mx_record_through_dnsconfigs_resolver(
        appliance: LocalAppliance, dnsmasq: DnsServer) -> None:
    session = committed_dns(appliance, DnsSettings(servers=("127.0.0.1",), port=dnsmasq.port))
    screen = await run_shell(session, ["dig -t mx partner.test", "exit"])
    assert screen == transcript(f"""
        mail.example.com> dig -t mx partner.test

        ; <<>> dig <<>> partner.test. MX
        ;; ->>HEADER<<- opcode: QUERY, status: NOERROR
        ;; flags: qr aa rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1

        ;; QUESTION SECTION:
        ;partner.test. IN MX

        ;; ANSWER SECTION:
        partner.test. 60 IN MX 10 mx1.partner.test.

        ;; ADDITIONAL SECTION:
        mx1.partner.test. 60 IN A 127.0.0.7

        ;; SERVER: 127.0.0.1#{dnsmasq.port}

        mail.example.com> exit
        """)


async def test_dig_interactive_an_address_looks_up_its_ptr(
        appliance: LocalAppliance, dnsmasq: DnsServer) -> None:
    session = committed_dns(appliance, DnsSettings(servers=("127.0.0.1",), port=dnsmasq.port))
    lines = ["dig", "bad name", "127.0.0.7", "", "dig", "nothere.partner.test", "99", "mx",
             "exit"]
    screen = await run_shell(session, lines)
    assert transcript("""
        mail.example.com> dig

        Enter the host or IP address to look up.
        []> bad name

        Invalid hostname "bad name".

        Enter the host or IP address to look up.
        []> 127.0.0.7

        Choose the query type:
        1. A
        2. AAAA
        3. CNAME
        4. MX
        5. NS
        6. PTR
        7. SOA
        8. SRV
        9. TLSA
        10. TXT
        [6]> $

        ; <<>> dig <<>> 7.0.0.127.in-addr.arpa. PTR
        ;; ->>HEADER<<- opcode: QUERY, status: NOERROR
        """) in screen
    assert "7.0.0.127.in-addr.arpa. 60 IN PTR mx1.partner.test.\n" in screen
    assert "[1]> 99\n\nThat value is not valid.\n" in screen
    assert ("; <<>> dig <<>> nothere.partner.test. MX\n"
            ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN\n") in screen


async def status_of(session: Session, line: str) -> tuple[int, str]:
    """The exit status a batch session running `line` would have, and its screen."""
    console = ScriptedConsole([line])
    status = await run_session(Shell(console, session, clock=lambda: NOW), "admin")
    return status, console.screen


@pytest.mark.parametrize(("line", "said"), [
    ("dig -t", "Usage: dig [-t <type>] <host>   types: A AAAA CNAME MX NS PTR SOA SRV TLSA TXT"),
    ("dig -t bogus partner.test", 'Invalid query type "bogus". Valid types are: A, AAAA, '),
    ("dig a..b", 'Invalid hostname "a..b".'),
    ("dig fe80::1%eth0", 'Invalid hostname "fe80::1%eth0".'),
    ("dig \x1b[2J", 'Invalid hostname "\\x1b[2J".'),
    ("dig partner.test extra", "Usage: dig"),
    ("dig partner.test", ";; connection timed out; no servers could be reached"),
])
async def test_dig_bad_words_and_a_dead_resolver_fail(
        appliance: LocalAppliance, line: str, said: str) -> None:
    status, screen = await status_of(committed_dns(appliance, DEAD_DNS), line)
    assert said in screen and status == 1, screen


async def test_dig_shows_that_unbound_validated_a_tlsa_record(appliance: LocalAppliance) -> None:
    if not dnssec.available():
        pytest.skip("nsd, unbound and ldnsutils are not installed")
    zone = dnssec.Zone("dane.test", [("_25._tcp.mx", "TLSA", "3 1 1 " + "ab" * 32),
                                     ("mx", "A", "127.0.0.1")])
    with dnssec.SignedDns([zone]) as server:
        session = committed_dns(appliance, DnsSettings(servers=("127.0.0.1",), port=server.port))
        screen = await run_shell(session, ["dig -t tlsa _25._tcp.mx.dane.test", "exit"])
    assert ";; flags: qr rd ra ad; QUERY: 1, ANSWER: 1," in screen, screen  # validated
    assert "_25._tcp.mx.dane.test. " in screen and " IN TLSA 3 1 1 " + "ab" * 32 in screen


async def test_telnet_probes_an_smtp_server(appliance: LocalAppliance) -> None:
    session = committed_dns(appliance, DEAD_DNS)
    async with FakeMX(Behaviour(starttls=True)) as mx:
        status, screen = await status_of(session, f"telnet 127.0.0.1 {mx.port}")
    assert status == 0
    assert screen == transcript(f"""
        mail.example.com> telnet 127.0.0.1 {mx.port}

        Trying 127.0.0.1...
        Connected to 127.0.0.1.
        220 mx.fake ESMTP
        EHLO mail.example.com
        250-mx.fake
        250-PIPELINING
        250-8BITMIME
        250-STARTTLS
        250 SIZE 10240000
        QUIT
        221 2.0.0 Bye
        Connection closed by foreign host.

        mail.example.com> """)
    assert mx.commands == ["EHLO mail.example.com", "QUIT"]  # nothing else was sent


async def test_telnet_resolves_through_dnsconfig_and_asks_interactively(
        appliance: LocalAppliance, dnsmasq: DnsServer) -> None:
    session = committed_dns(appliance, DnsSettings(servers=("127.0.0.1",), port=dnsmasq.port))
    async with FakeMX(Behaviour(greeting="220 partner"), host="127.0.0.7") as mx:
        lines = ["telnet", "two words", "mx1.partner.test", "0", str(mx.port),
                 "telnet nothere.partner.test", "exit"]
        screen = await run_shell(session, lines)
    assert transcript(f"""
        Enter the remote hostname or IP address.
        []> two words

        Invalid hostname "two words".

        Enter the remote hostname or IP address.
        []> mx1.partner.test

        Enter the remote port.
        [25]> 0

        The value must be an integer from 1 to 65535.

        Enter the remote port.
        [25]> {mx.port}

        Trying 127.0.0.7...
        Connected to mx1.partner.test.
        220 partner
        """) in screen
    assert ("> telnet nothere.partner.test\n\n"
            "telnet: nothere.partner.test: Name or service not known\n") in screen


@pytest.mark.parametrize(("line", "said"), [
    ("telnet 127.0.0.1 99999", "Usage: telnet <host> [port]"),
    ("telnet 127.0.0.1 25 extra", "Usage: telnet <host> [port]"),
    ("telnet 127.0.0.1 port", "Usage: telnet <host> [port]"),
])
async def test_telnet_bad_words_fail(appliance: LocalAppliance, line: str, said: str) -> None:
    status, screen = await status_of(appliance.session(), line)
    assert said in screen and status == 1, screen


async def test_telnet_refused_silent_and_abusive_peers_are_bounded(
        appliance: LocalAppliance, monkeypatch: pytest.MonkeyPatch) -> None:
    session = appliance.session()
    closed = reserve()  # nothing listens there
    status, screen = await status_of(session, f"telnet 127.0.0.1 {closed}")
    assert status == 1 and "telnet: connect to address 127.0.0.1: Connection refused\n" in screen
    monkeypatch.setattr(telnet, "STEP_SECONDS", 0.3)
    with held_port() as silent:  # accepted by the kernel, never answered
        status, screen = await status_of(session, f"telnet 127.0.0.1 {silent}")
    assert status == 1 and "telnet: no reply within 0.3 seconds; connection closed.\n" in screen

    async def abusive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(b"220-\x1b[2Jclear\r\n" + b"220-" + b"x" * 5000 + b"\r\n")
            await writer.drain()
            await reader.read()
        finally:
            writer.close()

    server = await asyncio.start_server(abusive, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        status, screen = await status_of(session, f"telnet 127.0.0.1 {port}")
    finally:
        server.close()
        await server.wait_closed()
    assert status == 1 and "telnet: the reply is too long; connection closed.\n" in screen
    assert "\x1b" not in screen and "220-\\x1b[2Jclear" in screen  # escaped, not obeyed


def proc_table(*rows: tuple[str, str, str, str, str]) -> str:
    """A /proc/net/tcp table: (local, remote, state, tx:rx queues, inode) per row."""
    lines = ["  sl  local_address rem_address st tx_queue rx_queue tr tm->when retrnsmt uid"
             " timeout inode"]
    lines += [f"{n}: {loc} {rem} {st} {q} 00:00000000 00000000 0 0 {inode}"
              for n, (loc, rem, st, q, inode) in enumerate(rows)]
    return "\n".join(lines) + "\n"


V6_ANY = "0" * 32
V6_MAPPED = "0000000000000000FFFF0000{}"  # ::ffff:a.b.c.d, the address in host order
PROC_TCP = proc_table(
    ("0100007F:09C5", "00000000:0000", "0A", "00000000:00000000", "111"),
    ("0100007F:09C5", "0200007F:D431", "01", "00000010:00000002", "222"),
    ("0100007F:0016", "0200007F:D432", "01", "00000000:00000000", "999"))
PROC_TCP6 = proc_table(
    (f"{V6_ANY}:0050", f"{V6_ANY}:0000", "0A", "00000000:00000000", "333"),
    (V6_MAPPED.format("0100007F") + ":0019", V6_MAPPED.format("0900007F") + ":8000", "01",
     "00000000:00000000", "444"))


def test_netstat_reads_the_processes_sockets_from_proc() -> None:
    wanted = {"111", "222", "333", "444"}  # 999 is another process's
    found = sockets.parse(PROC_TCP, "tcp4", wanted) + sockets.parse(PROC_TCP6, "tcp6", wanted)
    assert netstat.table(found) == transcript("""
        Active Internet connections (including servers)
        Proto  Recv-Q  Send-Q  Local Address   Foreign Address  (state)
        tcp6        0       0  *.80            *.*              LISTEN
        tcp4        0       0  127.0.0.1.2501  *.*              LISTEN
        tcp6        0       0  127.0.0.1.25    127.0.0.9.32768  ESTABLISHED
        tcp4        2      16  127.0.0.1.2501  127.0.0.2.54321  ESTABLISHED""")


async def test_netstat_when_the_appliance_is_not_running(session: Session) -> None:
    status, screen = await status_of(session, "netstat")
    assert status == 1 and screen == transcript("""
        mail.example.com> netstat

        The appliance is not running.

        mail.example.com> """)
    status, screen = await status_of(session, "netstat -an")
    assert status == 1 and "Usage: netstat\n" in screen
