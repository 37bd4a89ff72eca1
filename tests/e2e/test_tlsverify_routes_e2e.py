"""`tlsverify` over OpenSSH with a pty against `esacli run`, for domains smtproutes routes:
it says the route decides and names it, claims no MX lookup, and goes on to the route's
hosts: a closed port (refused), and a host dnsmasq resolves with a fake MX behind it
that offers no STARTTLS. Afterwards the appliance still serves mail and SSH."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pexpect

from state import model
from tests.kit.appliance import Appliance, mail_flows, prepared
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import reserve
from tests.kit.ssh import ANSI, PROMPT, no_traceback, ssh_login

EVIL, PARTNER, MX = "evil.example", "partner.example", "mx.partner.example"
# The TLS policy line names what the destination controls say (docs/tls-policy.md);
# its wording is not this test's.
POLICY = re.compile(r"^TLS policy for (\S+) decided by .*\.$", re.MULTILINE)


def prepare(tmp_path: Path, dns_port: int, closed: int, mx_port: int) -> Appliance:
    def routed(config: model.Config) -> model.Config:
        routes = (
            model.Route(domain=EVIL, hosts=(model.RouteHost(host="127.0.0.1", port=closed),)),
            model.Route(domain=f".{PARTNER}", hosts=(model.RouteHost(host=MX, port=mx_port),)),
        )
        return model.replace(config, routes=routes,
                             dns=model.replace(config.dns, servers=("127.0.0.1",), port=dns_port))

    return prepared(tmp_path, routed)


def tlsverify(child: pexpect.spawn, domain: str) -> str:
    child.sendline(f"tlsverify {domain}")
    child.expect_exact("TLS verification completed.")
    shown = ANSI.sub("", str(child.before) + str(child.after)).replace("\r", "")
    child.expect_exact(PROMPT)
    lines = shown.split("\n")[1:]  # from the line after the echoed command
    return POLICY.sub(r"TLS policy for \1 decided by <policy>.", "\n".join(lines)).strip()


async def test_tlsverify_names_the_route_that_decides(tmp_path: Path) -> None:
    closed = reserve()  # nothing listens: connections are refused
    behaviour = Behaviour(starttls=False)
    with DnsServer(hosts={MX: "127.0.0.1"}) as dns:
        async with FakeMX(behaviour) as mx:
            app = prepare(tmp_path, dns.port, closed, mx.port)
            await asyncio.to_thread(app.start)
            try:
                evil, partner = await asyncio.to_thread(probe, app)
            finally:
                await asyncio.to_thread(app.stop)
    assert evil == "\n".join([
        f"{EVIL} is routed by SMTP route {EVIL} to 127.0.0.1:{closed}.",
        "Route host 127.0.0.1 (127.0.0.1) priority 0.",
        "TLS policy for 127.0.0.1 decided by <policy>.",
        f"Connecting to 127.0.0.1 on port {closed}.",
        "TLS connection to 127.0.0.1 failed: Connection refused",
        "",
        f"TLS unable to connect to {EVIL}.",
        "TLS verification completed.",
    ])
    assert partner.split("\n")[:5] == [
        f"mail.{PARTNER} is routed by SMTP route .{PARTNER} to {MX}:{mx.port}.",
        f"Route host {MX} (127.0.0.1) priority 0.",
        f"TLS policy for {MX} decided by <policy>.",
        f"Connecting to 127.0.0.1 on port {mx.port}.",
        "Connected to 127.0.0.1 from interface 127.0.0.1.",
    ]
    assert partner.split("\n")[-5:] == [
        "Checking TLS connection.",
        "STARTTLS command not supported",
        "",
        f"TLS unable to connect to mail.{PARTNER}.",
        "TLS verification completed.",
    ]
    assert mx.connections == 1


def probe(app: Appliance) -> tuple[str, str]:
    child = ssh_login(app)
    evil = tlsverify(child, EVIL)
    partner = tlsverify(child, f"mail.{PARTNER}")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    for shown in (evil, partner):
        no_traceback(shown, "the session")
        assert "Looking up MX records" not in shown
    mail_flows(app)
    again = ssh_login(app)
    again.sendline("exit")
    again.expect(pexpect.EOF)
    no_traceback(app.system_logs(), "system_logs")
    return evil, partner
