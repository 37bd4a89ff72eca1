"""The cluster as administrators run it: `esacli run` processes on loopback addresses
(A 127.0.0.1, B 127.0.0.2, C 127.0.0.4), a real PostgreSQL, a real Postfix as the
partner's MX (127.0.0.3), and every step typed over OpenSSH: clusterconfig create and
join, the seed's change committed once at Cluster level on A, a Read-Only Operator made
on A logging in on B with its role, a Machine override on B,
PostgreSQL stopped and started under load, B killed with -9, a third machine joining."""

from __future__ import annotations

import smtplib
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pexpect
import pytest
import trustme

from state import model
from state.cluster import local
from tests.cluster.kit import PASSPHRASE, Box, Database, Load, new_database
from tests.kit import postfix
from tests.kit.appliance import PASSWORD, Appliance
from tests.kit.appliance import on_ports as listeners_on
from tests.kit.certs import make_ca
from tests.kit.pg import PostgresServer
from tests.kit.ports import reserve_on
from tests.kit.ssh import ANSI, ssh_batch, ssh_spawn
from tests.kit.waiting import seconds_until, wait_until

pytestmark = pytest.mark.skipif(postfix.available() is not None,
                                reason=str(postfix.available()))

PARTNER, DOMAIN = "127.0.0.3", "partner.example"
IPS = {"a": "127.0.0.1", "b": "127.0.0.2", "c": "127.0.0.4"}
VIEWER_PW = "viewer-Secret-pw1"

SEED = [
    "listenerconfig edit InboundMail hostaccess new policy TLS_Required accept --tls=required",
    f"listenerconfig edit InboundMail hostaccess new sendergroup TLS_Senders {PARTNER}"
    " TLS_Required",
    "listenerconfig edit InboundMail hostaccess move TLS_Senders WHITELIST",
    # destconfig NEW: no limits, Required - Verify, the demo certificate, then Enter for
    # DANE, MTA-STS, the required-TLS failure action, bounce tagging, IP sort, the menu
    "destconfig", "new", DOMAIN, "n", "n", "n", "y", "5", "y", "", "", "", "", "", "",
    "commit", "The partner: TLS Required inbound, Required - Verify outbound",
]


def gateway(ca: trustme.CA, inbound: int, outbound: int,
            mx_port: int) -> Callable[[model.Config], model.Config]:
    """The standalone configuration A starts from: the partner's mail routed to its MX,
    the test CA trusted; OutboundMail relays for the test's own address."""
    def change(config: model.Config) -> model.Config:
        config = listeners_on(config, {"InboundMail": inbound, "OutboundMail": outbound})
        custom = (model.CustomCA(name="test", pem=ca.cert_pem.bytes().decode()),)
        route = model.Route(domain=DOMAIN, hosts=(model.RouteHost(host=PARTNER, port=mx_port),))
        return model.replace(
            config, routes=(route,),
            authorities=model.Authorities(system_enabled=False, custom_enabled=True,
                                          custom=custom))
    return change


@dataclass
class Site:
    """The machines, the database, the partner's MX."""

    database: Database
    inbound: int
    outbound: int
    mx: postfix.PostfixServer
    boxes: dict[str, Box] = field(default_factory=dict)
    running: dict[str, Appliance] = field(default_factory=dict)

    def start(self, name: str) -> Appliance:
        run = Appliance(self.boxes[name].data, self.inbound, self.outbound, ip=IPS[name])
        run.start()
        self.running[name] = run
        return run

    def batch(self, name: str, lines: list[str]) -> str:
        """Commands typed into `ssh -T` (the batch shell); what it printed."""
        done = ssh_batch(self.running[name], [], "\n".join(lines) + "\n")
        assert "Traceback" not in done.stdout + done.stderr
        return done.stdout


def viewer_on(app: Appliance, command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return ssh_batch(app, [command] if command else [], stdin, user="viewer", password=VIEWER_PW)


def login(app: Appliance, prompt: str) -> pexpect.spawn:
    child = ssh_spawn(app, "-tt")
    child.expect("password:")
    child.sendline(PASSWORD)
    child.expect_exact(prompt)
    return child


def steps(child: pexpect.spawn, pairs: list[tuple[str, str]]) -> str:
    """Each pair: wait for the text, type the answer; the screen seen, plain."""
    seen = []
    for expected, reply in pairs:
        child.expect_exact(expected)
        seen.append(ANSI.sub("", str(child.before) + expected).replace("\r", ""))
        child.sendline(reply)
    return "".join(seen)


def relay(app: Appliance, subject: str) -> None:
    with smtplib.SMTP(app.ip, app.outbound, timeout=10, source_address=("127.0.0.1", 0)) as client:
        client.sendmail("a@gateway.example", [f"u@{DOMAIN}"],
                        f"Subject: {subject}\r\n\r\nhello\r\n".encode())


def mail_from_code(ip: str, port: int) -> int:
    with smtplib.SMTP(ip, port, timeout=10, source_address=(PARTNER, 0)) as client:
        client.ehlo("partner.example")
        return client.mail("a@partner.example")[0]


@pytest.fixture
def site(boxes: Callable[..., Box], own_pg: PostgresServer) -> Iterator[Site]:
    ca = make_ca()
    with postfix.PostfixServer.signed_by(ca, PARTNER, DOMAIN, ["u"], hostname=DOMAIN) as mx:
        inbound, outbound = reserve_on(*IPS.values()), reserve_on(*IPS.values())
        made = Site(new_database(own_pg), inbound, outbound, mx)
        for name in IPS:
            made.boxes[name] = boxes(name, IPS[name], gateway(ca, inbound, outbound, mx.port))
        try:
            yield made
        finally:
            for run in made.running.values():
                if run.proc is not None:
                    run.stop()


def linked(box: Box) -> bool:
    """The member's own view of its link to the cluster database (its follower's)."""
    here = local.LocalCluster(box.data)
    try:
        return here.link().connected
    finally:
        here.close()


def create_over_ssh(site: Site) -> str:
    child = login(site.running["a"], "a.example.com>")
    child.sendline("clusterconfig")
    seen = steps(child, [
        ("[1]>", "2"), ("[]>", "Gateways"), ("[]>", site.database.address),
        ("(Enter for none):", site.database.password), ("[a.example.com]>", "a"),
        ("Enter passphrase:", PASSPHRASE), ("Enter passphrase again:", PASSPHRASE),
        ("(Cluster Gateways)>", "exit")])
    child.expect(pexpect.EOF)
    return seen


def join_over_ssh(site: Site, name: str) -> str:
    """The join dialog; Ctrl-C at the passphrase drops it once, Ctrl-D at clustermode's
    question too; then the passphrase is typed once."""
    child = login(site.running[name], f"{name}.example.com>")
    until_passphrase = [("[1]>", "3"), ("[]>", site.database.address),
                        ("(Enter for none):", site.database.password),
                        (f"[{name}.example.com]>", name), ("[1]>", "")]
    child.sendline("clusterconfig")
    seen = steps(child, until_passphrase)
    child.expect_exact("Enter passphrase:")
    child.sendcontrol("c")
    child.expect_exact(f"{name}.example.com>")
    assert not local.is_clustered(site.boxes[name].data)
    child.sendline("clusterconfig")
    seen += steps(child, [*until_passphrase, ("Enter passphrase:", PASSPHRASE),
                          ("[N]>", "y"), ("(Cluster Gateways)>", "clustermode")])
    child.expect_exact("[1]>")
    child.sendcontrol("d")
    seen += steps(child, [("(Cluster Gateways)>", "exit")])
    child.expect(pexpect.EOF)
    return seen


def test_a_cluster_run_over_ssh(site: Site) -> None:
    a, b = site.start("a"), site.start("b")
    port, db = site.inbound, site.database
    seen = create_over_ssh(site) + join_over_ssh(site, "b")
    for secret in (PASSPHRASE, db.password):
        assert secret not in seen  # asked, never echoed
    assert "The cluster configuration takes effect immediately." in seen

    # the seed's change, made once on A at Cluster level
    assert mail_from_code(b.ip, port) == 250
    done = site.batch("a", SEED)
    assert "Changes committed" in done, done
    took = seconds_until(lambda: mail_from_code(b.ip, port) == 530, 5, "B to require TLS")
    print(f"the seed's change, committed on A, enforced on B after {took:.3f} s")
    assert took < 1.0
    assert mail_from_code(a.ip, port) == 530
    relay(a, "from a")
    relay(b, "from b")
    wait_until(lambda: len(site.mx.maildir_messages("u")) == 2, 20, "both to deliver")
    assert all(b"using TLS" in m for m in site.mx.maildir_messages("u"))
    for run in (a, b):
        wait_until(lambda run=run: f"TLS certificate verified: match {DOMAIN}" in run.mail_logs(),
                   5, "a verified delivery in mail_logs")

    # a Read-Only Operator made once on A at Cluster level logs in on B with its role
    done = site.batch("a", ["userconfig", "new", "viewer", "Viewer", "read-only operator",
                            VIEWER_PW, VIEWER_PW, "", "commit", "a read-only operator"])
    assert "Changes committed" in done, done
    wait_until(lambda: viewer_on(b, "status").returncode == 0, 10, "the viewer to log in on B")
    refused = viewer_on(b, "", "listenerconfig edit InboundMail hostaccess default"
                               " --max_conn=5\nuserconfig\n")
    assert "You are not in the correct access group to" in refused.stdout
    assert "You are not in the correct access group to use userconfig." in refused.stdout
    assert refused.returncode == 1
    assert site.boxes["b"].store.load().listeners[0].hat.default.max_concurrency != 5

    # a Machine-level override on B does not reach A
    done = site.batch("b", ["clustermode machine b", "sethostname b-own.example.com", "commit",
                            "B's own name"])
    assert "Changes committed" in done, done
    wait_until(lambda: b.status().get("hostname") == "b-own.example.com", 5, "B's own name")
    assert a.status().get("hostname") == "a.example.com"

    # PostgreSQL stopped under load: mail flows, the prompt and status say so, a Cluster
    # commit is refused, a Machine-level host name commits offline; started again: both
    # catch up by themselves and clustercheck finds them consistent
    shell = login(a, "(Cluster Gateways)>")
    with Load([(a.ip, port), (b.ip, port)]) as load:
        wait_until(lambda: load.sent >= 10, 20, "mail to flow")
        site.database.server.stop()
        wait_until(lambda: not linked(site.boxes["a"]) and not linked(site.boxes["b"]), 15,
                   "both machines to see the database gone")
        shell.sendline("")
        shell.expect_exact("(Cluster Gateways) [disconnected]>")
        shell.sendline("status")
        shell.expect_exact("Cluster: Gateways, machine a: DISCONNECTED since")
        refused = steps(shell, [
            ("(Cluster Gateways) [disconnected]>",
             "listenerconfig edit InboundMail hostaccess default --max_conn=33"),
            ("(Cluster Gateways) [disconnected]>", "commit"), ("[]>", "while away"),
            ("(Cluster Gateways) [disconnected]>", "clustermode machine a"),
            ("(Machine a) [disconnected]>", "sethostname a-offline.example.com"),
            ("(Machine a) [disconnected]>", "commit"), ("[]>", "offline"),
            ("sent to the cluster when it reconnects.", "")])
        said = " ".join(refused.split())  # why, in the server's words, then what it means
        assert ("This machine is currently disconnected from the cluster (Unable to connect"
                " to the cluster database at ") in said
        assert "changes at Cluster Gateways level cannot be committed until it reconnects." in said
        wait_until(lambda: a.status().get("hostname") == "a-offline.example.com", 5,
                   "A's offline host name applied at once")
        sent = load.sent
        wait_until(lambda: load.sent >= sent + 20, 30, "mail to flow without the database")
        site.database.server.start()
        wait_until(lambda: linked(site.boxes["a"]) and linked(site.boxes["b"]), 15,
                   "both to reconnect")
        wait_until(lambda: "No inconsistencies found" in site.batch("a", ["clustercheck"]), 15,
                   "clustercheck to find every machine consistent")
        wait_until(lambda: load.sent >= sent + 40, 30, "mail to flow after the restart")
    assert (load.failed, load.errors) == (0, [])
    print(f"load: {load.sent} messages accepted, {load.failed} failed")
    logs = b.system_logs()
    assert "disconnected from the cluster database" in logs and "connected to" in logs
    shell.sendline("exit")
    shell.expect_exact("Are you sure you wish to exit?")  # the refused change is still pending
    shell.sendline("y")
    shell.expect(pexpect.EOF)

    # B killed with -9 while A commits: it catches up when it boots
    b.kill()
    done = site.batch("a", ["listenerconfig edit InboundMail hostaccess default --max_conn=44",
                            "commit", "while B is down"])
    assert "Changes committed" in done, done
    b = site.start("b")
    wait_until(lambda: site.boxes["b"].store.load().listeners[0].hat.default.max_concurrency
               == 44, 10, "B to catch up on boot")

    # a third machine joins: the passphrase once; it gets the shared settings and keys
    c = site.start("c")
    seen = join_over_ssh(site, "c")
    assert PASSPHRASE not in seen
    wait_until(lambda: mail_from_code(c.ip, port) == 530, 10, "C to require TLS")
    kid = site.boxes["a"].store.load().certificates[0].key_id
    assert site.boxes["c"].secrets.has_key(kid)
    key_pem = site.boxes["a"].secrets.key_path(kid).read_text()
    dump = db.dump()
    assert "PRIVATE KEY" not in dump and PASSPHRASE not in dump
    for line in key_pem.splitlines():
        if "-----" not in line:
            assert line not in dump
    wait_until(lambda: "No inconsistencies found" in site.batch("c", ["clustercheck"]), 15,
               "every machine consistent")
    for run in (a, c):
        assert run.proc is not None and run.proc.poll() is None  # never restarted
    for run in site.running.values():
        assert db.password not in run.system_logs() + run.mail_logs() + run.console()
