"""MTA-STS in the shell over OpenSSH, against `esacli run`:

- `trace destination` and `tlsreadiness <domain> out` show the TLS plan delivery would
  use, MTA-STS included, from the policy cache delivery reads (<data>/mta-sts.db): an
  enforce policy listing the MX makes it Required - Verify, one that does not list it
  refuses the MX. They said "Preferred, decided by destination control" before. The
  cached policies are current (their id is the TXT record's), so nothing is fetched.
- mtastsconfig REFRESH: the domain question refuses an IP address and a single label,
  and Ctrl-C ends the refresh while it waits on the network (here the resolver, which
  never answers), back at the prompt. Before, Ctrl-C did nothing until it gave up.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dns.message
import pexpect

from engine.outbound.mtasts import parse_policy
from engine.outbound.mtasts_cache import FILE, PolicyStore
from state import model
from tests.kit.appliance import Appliance, prepared, running
from tests.kit.dnsserver import DnsServer
from tests.kit.ssh import PROMPT, answer, dialog, no_traceback, ssh_exec, ssh_login
from tests.kit.waiting import wait_until

CTRL_C = "\x03"
LISTED, UNLISTED = "listed.test", "unlisted.test"  # their policies: enforce, mx.listed.test
HOSTS = {f"mx.{LISTED}": "127.0.0.61", f"mx.{UNLISTED}": "127.0.0.62"}
POLICY = "version: STSv1\nmode: enforce\nmx: mx.listed.test\nmax_age: 86400\n"
STALLED = "stalled.test"


def honouring_mta_sts(dns_port: int, timeout: float = 2.0) -> Callable[[model.Config],
                                                                        model.Config]:
    """The resolver on `dns_port`; destination DEFAULT: TLS Preferred and MTA-STS on."""
    def change(config: model.Config) -> model.Config:
        dest = config.destinations
        default = model.replace(dest.default, tls=model.TLSMode.PREFERRED, mta_sts=True)
        settings = model.DnsSettings(servers=("127.0.0.1",), port=dns_port, timeout=timeout)
        return model.replace(config, dns=settings,
                             destinations=model.replace(dest, default=default))
    return change


@contextmanager
def partners(tmp_path: Path) -> Iterator[Appliance]:
    """The appliance, the partners' DNS, and their policies cached as delivery left them."""
    txt = {f"_mta-sts.{d}": "v=STSv1; id=7" for d in (LISTED, UNLISTED)}
    mx = [(d, f"mx.{d}", 10) for d in (LISTED, UNLISTED)]
    with DnsServer(hosts=HOSTS, txt=txt, mx=mx) as server:
        app = prepared(tmp_path, honouring_mta_sts(server.port))
        store = PolicyStore(app.data / FILE)
        try:
            for domain in (LISTED, UNLISTED):
                store.put(domain, "7", parse_policy(POLICY), time.time())
        finally:
            store.close()
        with running(app):
            yield app


def last_errors(app: Appliance) -> list[str]:
    store = PolicyStore(app.data / FILE)
    try:
        return [c.last_error for c in store.all()]
    finally:
        store.close()


def test_trace_and_tlsreadiness_plan_as_delivery_would(tmp_path: Path) -> None:
    with partners(tmp_path) as app:
        traced = ssh_exec(app, f"trace destination {LISTED}")
        assert traced.returncode == 0, traced.stdout + traced.stderr
        assert (f"  Mail exchanger:       mx.{LISTED} (127.0.0.61) port 25, preference 10\n"
                "    TLS plan: Required - Verify, decided by MTA-STS\n"
                f"    Names a Verify check accepts: mx.{LISTED}\n") in traced.stdout, \
            traced.stdout
        refused = ssh_exec(app, f"trace destination {UNLISTED}").stdout
        assert ("    TLS plan: no delivery, decided by MTA-STS\n"
                f"    Refused: MTA-STS policy of {UNLISTED} (enforce) does not list MX "
                f"mx.{UNLISTED}\n") in refused, refused
        ready = ssh_exec(app, f"tlsreadiness {LISTED} out").stdout
        assert f"  mx.{LISTED}: Required - Verify, decided by MTA-STS\n" in ready, ready
        unready = ssh_exec(app, f"tlsreadiness {UNLISTED} out").stdout
        assert (f"  mx.{UNLISTED}: no delivery, decided by MTA-STS\n"
                f"      Refused: MTA-STS policy of {UNLISTED} (enforce)") in unready, unready
        assert last_errors(app) == ["", ""]  # current policies: nothing was fetched


@contextmanager
def silent_dns() -> Iterator[socket.socket]:
    """A DNS server that takes every query and answers none (the test reads the queries)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock


def asked(sock: socket.socket, name: str) -> bool:
    """Has a query for `name` reached the server (since the last call)?"""
    while select.select([sock], [], [], 0)[0]:
        query = dns.message.from_wire(sock.recv(4096))
        if any(q.name.to_text() == f"{name}." for q in query.question):
            return True
    return False


def test_refresh_refuses_addresses_and_labels_and_ctrl_c_ends_it(tmp_path: Path) -> None:
    with silent_dns() as sock:
        port = sock.getsockname()[1]
        with running(prepared(tmp_path, honouring_mta_sts(port, timeout=60))) as app:
            child = ssh_login(app)
            child.sendline("mtastsconfig")
            dialog(child, [
                ("- REFRESH - Fetch a domain's MTA-STS policy now.\n[]> ", "refresh"),
                ("Enter the domain whose MTA-STS policy to fetch now.\n[]> ", "127.0.0.1"),
                ('"127.0.0.1" is an IP address: MTA-STS policies belong to domain names, '
                 "such as example.com.\n[]> ", "refresh"),
                ('"refresh" is a single label: MTA-STS policies belong to domain names of two '
                 "labels or more, such as example.com.\n[]> ", STALLED)])
            wait_until(lambda: asked(sock, f"_mta-sts.{STALLED}"), timeout=10,
                       what="the refresh's TXT query")
            child.send(CTRL_C)  # the resolver waits up to 60 s
            child.expect_exact("^C", timeout=5)
            child.expect_exact(PROMPT, timeout=5)
            child.sendline("mtastsconfig")
            child.expect_exact("There are currently 0 MTA-STS policies cached.")
            child.expect_exact("[]>")
            child.sendline("refresh")  # left to run: the record's lookup has the fetch's 10 s
            answer(child, "[]> ", STALLED)
            child.expect_exact(f"TXT lookup for _mta-sts.{STALLED} failed: timeout", timeout=20)
            child.expect_exact("[]>")
            child.sendline("")
            child.expect_exact(PROMPT)
            child.sendline("exit")
            child.expect(pexpect.EOF)
            no_traceback(app.console(), "the appliance's output")
