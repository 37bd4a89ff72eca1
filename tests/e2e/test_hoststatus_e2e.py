"""`hoststatus` over OpenSSH with a pty against `esacli run`, for a domain routed by
smtproutes to a host dnsmasq resolves, whose port is first closed, then a fake MX that
refuses the recipient, then closed again. Each screen shows the latest connection
attempt's up/down, every attempt counted (mail_logs has one line for each), and the
latest error: after `delivernow`, the newer deferral of an older message, not the
bounce of a newer one (a higher MID); nothing missing is shown as a Python literal."""

from __future__ import annotations

import asyncio
import re
import smtplib
from collections.abc import Callable
from pathlib import Path

import pexpect

from engine.queue.admin import QueueAdmin, QueuedRecipient
from engine.tlsstats.events import OUTBOUND
from engine.tlsstats.store import Reader
from state import model
from tests.kit.appliance import Appliance, mail_flows, prepared
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.ports import reserve
from tests.kit.ssh import ANSI, PROMPT, no_traceback, screen, ssh_login
from tests.kit.waiting import wait_until_async

DOMAIN, MX = "partner.example", "mx.partner.example"
RETRY = 3600  # the backoff after a failure: only delivernow retries within the test
DEFERRED, BOUNCED = f"deferred@{DOMAIN}", f"bounced@{DOMAIN}"
REFUSED = "550 5.1.1 No such user"
DATE = re.compile(r"\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4}")


def prepare(tmp_path: Path, dns_port: int, mx_port: int) -> Appliance:
    def routed(config: model.Config) -> model.Config:
        route = model.Route(domain=DOMAIN, hosts=(model.RouteHost(host=MX, port=mx_port),))
        return model.replace(
            config, routes=(route,),
            dns=model.replace(config.dns, servers=("127.0.0.1",), port=dns_port),
            delivery=model.DeliverySettings(initial_retry_seconds=RETRY,
                                            max_retry_seconds=RETRY))

    app = prepared(tmp_path, routed)
    # One SMTP worker: MIDs then rise in the order messages arrive, so the bounce of
    # the later message has the higher MID (the order the old "last error" went by).
    app.args = ("--workers", "1")
    return app


def send(app: Appliance, recipient: str) -> None:
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        client.sendmail("a@gateway.example", [recipient], b"Subject: hoststatus\r\n\r\nhi\r\n")


def recipient(app: Appliance, address: str) -> QueuedRecipient | None:
    found = [r for r in QueueAdmin(app.data).recipients(DOMAIN) if r.address == address]
    return found[0] if found else None


async def until(app: Appliance, address: str, done: Callable[[QueuedRecipient], bool],
                what: str) -> QueuedRecipient:
    def check() -> QueuedRecipient | None:
        found = recipient(app, address)
        return found if found is not None and done(found) else None

    found = await wait_until_async(check, timeout=20, what=what)
    assert found is not None
    return found


def attempts(app: Appliance, mx_port: int) -> int:
    """Delivery's connection attempts to the MX, as mail_logs has them."""
    logs = app.mail_logs()
    return (logs.count(f"address 127.0.0.1 port {mx_port}\n")
            + logs.count(f"connection to 127.0.0.1 port {mx_port} failed"))


def hoststatus(child: pexpect.spawn) -> str:
    child.sendline(f"hoststatus {DOMAIN}")
    child.expect_exact(f'Host mail status for: "{DOMAIN}"')
    child.expect_exact(PROMPT)
    shown = ANSI.sub("", str(child.before)).replace("\r", "")
    return DATE.sub("<date>", shown).strip()


def expected(up: str, active: int, bounced: int, soft: int, connections: int, tls: str,
             error: str) -> str:
    return "\n".join([
        "Status as of:                 <date>",
        f"Host up/down:                 {up}",
        "Delivery:                     running",
        f"Active Recipients:            {active}",
        "Delivered Recipients:         0",
        f"Hard Bounced Recipients:      {bounced}",
        f"Soft Bounced Events:          {soft}",
        f"Connections (last 30 days):   {connections}",
        f"Last TLS outcome:             {tls}",
        f"Last error:                   {error}",
    ])


async def test_hoststatus_follows_the_latest_attempt_and_error(tmp_path: Path) -> None:
    mx_port = reserve()  # closed: connections to it are refused until the fake MX binds it
    with DnsServer(hosts={MX: "127.0.0.1"}) as dns:
        app = prepare(tmp_path, dns.port, mx_port)
        await asyncio.to_thread(app.start)
        try:
            await run(app, mx_port)
        finally:
            await asyncio.to_thread(app.stop)


async def run(app: Appliance, mx_port: int) -> None:
    child = await asyncio.to_thread(ssh_login, app)
    await asyncio.to_thread(send, app, DEFERRED)
    first = await until(app, DEFERRED, lambda r: r.attempts == 1, "the first deferral")
    assert "Connection refused" in first.reason
    assert await asyncio.to_thread(hoststatus, child) == expected(
        "down", 1, 0, 1, attempts(app, mx_port), "(none)", first.reason)

    behaviour = Behaviour(starttls=False, rcpt_reply={BOUNCED: REFUSED})
    async with FakeMX(behaviour, port=mx_port):
        await asyncio.to_thread(send, app, BOUNCED)
        bounce = await until(app, BOUNCED, lambda r: r.status == "bounced", "the bounce")
        reader = Reader(app.data)
        await wait_until_async(lambda: reader.events(OUTBOUND, DOMAIN, 0, 2e9), timeout=10,
                               what="the connection's TLS recorded")
    assert bounce.mid > first.mid
    assert bounce.reason.startswith("5.1.0 - Unknown address error ('550'")
    tls = f"clear, not verified (starttls-not-supported), {MX}, <date>"
    assert await asyncio.to_thread(hoststatus, child) == expected(
        "up", 1, 1, 1, attempts(app, mx_port), tls, bounce.reason)

    child.sendline(f"delivernow {DOMAIN}")  # the fake MX is gone: refused again
    child.expect_exact(PROMPT)
    again = await until(app, DEFERRED, lambda r: r.attempts == 2, "the second deferral")
    assert attempts(app, mx_port) == 3
    assert await asyncio.to_thread(hoststatus, child) == expected(
        "down", 1, 1, 2, 3, tls, again.reason)
    await asyncio.to_thread(after, app, child)


def after(app: Appliance, child: pexpect.spawn) -> None:
    """The session ends cleanly; mail and SSH are still served."""
    text = screen(child)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    no_traceback(text, "the session")
    mail_flows(app)
    again = ssh_login(app)
    again.sendline("exit")
    again.expect(pexpect.EOF)
    no_traceback(app.system_logs(), "system_logs")
