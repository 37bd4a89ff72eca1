"""Real appliances in a cluster: `esacli run` processes on two (then three) data dirs,
loopback addresses 127.0.0.1, 127.0.0.2, 127.0.0.4, and a real PostgreSQL.

Commits are made through the state API (the shell's cluster commands come later);
what is checked is what clients see: 530 from a TLS Required policy, the certificate
a joined machine presents, mail accepted while the database is away.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pytest

from state import model
from state.cluster import status
from state.cluster.errors import Offline
from state.cluster.node import ClusterNode
from state.model import Behavior, Policy, PolicyParams, SenderGroup, TLSMode
from tests.cluster.kit import (
    Box,
    Database,
    cluster_session,
    create,
    join,
    machine_session,
    new_database,
)
from tests.kit import pg
from tests.kit.appliance import Appliance
from tests.kit.appliance import on_ports as listeners_on
from tests.kit.certs import issue_certificate, make_ca
from tests.kit.pg import PostgresServer
from tests.kit.ports import reserve_on
from tests.kit.waiting import seconds_until, wait_until

PARTNER = "127.0.0.3"
A_IP, B_IP, C_IP = "127.0.0.1", "127.0.0.2", "127.0.0.4"
Boxes = Callable[..., Box]


def on_ports(inbound: int, outbound: int) -> Callable[[model.Config], model.Config]:
    return lambda config: listeners_on(config, {"InboundMail": inbound, "OutboundMail": outbound})


def require_tls_from_partner(config: model.Config) -> model.Config:
    """The seed's change: a TLS_Required policy and the partner's TLS_Senders group first."""
    inbound = config.listeners[0]
    hat = inbound.hat
    policy = Policy(name="TLS_Required", behavior=Behavior.ACCEPT,
                    params=PolicyParams(tls=TLSMode.REQUIRED))
    group = SenderGroup(name="TLS_Senders", senders=(PARTNER,), policy="TLS_Required")
    hat = model.replace(hat, policies=(*hat.policies, policy), groups=(group, *hat.groups))
    return model.replace(config, listeners=(model.replace(inbound, hat=hat), *config.listeners[1:]))


def use_certificate(cert: model.Certificate) -> Callable[[model.Config], model.Config]:
    """InboundMail presents `cert` and offers STARTTLS to everyone."""
    def change(config: model.Config) -> model.Config:
        inbound = model.replace(config.listeners[0], certificate=cert.name)
        hat = model.replace(inbound.hat, default=model.replace(inbound.hat.default,
                                                               tls=TLSMode.PREFERRED))
        return model.replace(config, certificates=(*config.certificates, cert),
                             listeners=(model.replace(inbound, hat=hat), *config.listeners[1:]))
    return change


def mail_from_code(ip: str, port: int, source: str = PARTNER) -> int:
    with smtplib.SMTP(ip, port, timeout=10, source_address=(source, 0)) as client:
        client.ehlo("partner.example")
        code, _ = client.mail("a@partner.example")
        return code


def starttls_certificate(ip: str, port: int, ca_pem: str) -> str:
    """STARTTLS verified against the test CA: the server certificate's names."""
    context = ssl.create_default_context(cadata=ca_pem)
    with smtplib.SMTP(ip, port, timeout=10) as client:
        try:
            client.starttls(context=context)
        except smtplib.SMTPNotSupportedError:
            return ""  # not (yet) the version with the TLS setting
        sock = client.sock
        assert isinstance(sock, ssl.SSLSocket)
        cert = sock.getpeercert()
    return str(dict(cert or {}).get("subjectAltName"))


@dataclass
class Cluster:
    database: Database
    port: int
    boxes: dict[str, Box] = field(default_factory=dict)
    nodes: dict[str, ClusterNode] = field(default_factory=dict)
    running: dict[str, Appliance] = field(default_factory=dict)

    def start(self, name: str) -> Appliance:
        box = self.boxes[name]
        run = Appliance(box.data, self.port, ip={"a": A_IP, "b": B_IP, "c": C_IP}[name])
        run.start()
        self.running[name] = run
        return run

    def commit(self, name: str, change: Callable[[model.Config], model.Config]) -> int:
        session = cluster_session(self.nodes[name])
        session.stage(change(session.candidate))
        result = session.commit(f"from {name}")
        assert result is not None
        return result.info.number

    def stop(self) -> None:
        for run in self.running.values():
            run.stop()


@pytest.fixture
def make_cluster(boxes: Boxes) -> Iterator[Callable[[Database], Cluster]]:
    made: list[Cluster] = []

    def make(database: Database) -> Cluster:
        inbound, outbound = reserve_on(A_IP, B_IP, C_IP), reserve_on(A_IP, B_IP, C_IP)
        cluster = Cluster(database, inbound)
        made.append(cluster)
        for name, ip in (("a", A_IP), ("b", B_IP)):
            cluster.boxes[name] = boxes(name, ip, on_ports(inbound, outbound))
        cluster.nodes["a"] = create(cluster.boxes["a"], database.url)
        cluster.nodes["b"] = join(cluster.boxes["b"], database.url)
        cluster.start("a")
        cluster.start("b")
        return cluster

    yield make
    for cluster in made:
        cluster.stop()


def enforced(ip: str, port: int) -> Callable[[], bool]:
    return lambda: mail_from_code(ip, port) == 530


def test_a_cluster_commit_is_enforced_everywhere_and_survives_kill_and_join(
        make_cluster: Callable[[Database], Cluster], database: Database, boxes: Boxes,
        tmp_path: Path) -> None:
    cluster = make_cluster(database)
    port = cluster.port
    assert mail_from_code(B_IP, port) == 250
    cluster.commit("a", require_tls_from_partner)
    took = seconds_until(enforced(B_IP, port), 5, "B to require TLS from the partner")
    wait_until(enforced(A_IP, port), 5, "A to require TLS from the partner")
    print(f"cluster commit on A enforced on B after {took:.3f} s")

    # a Machine-level override on B does not reach A
    own = machine_session(cluster.nodes["b"])
    own.stage(model.replace(own.candidate, hostname="b-own.example.com"))
    own.commit("B's own host name")
    wait_until(lambda: cluster.running["b"].status().get("hostname") == "b-own.example.com", 5,
             "B to run its own host name")
    assert cluster.running["a"].status().get("hostname") == "a.example.com"

    # B killed while A commits: it catches up when it boots again
    cluster.running["b"].kill()
    ca = make_ca()
    cert = issue_certificate(ca, cluster.boxes["a"].secrets, "Gateway",
                             ("mail.example.com", A_IP, B_IP, C_IP))
    cluster.commit("a", use_certificate(cert))
    cluster.start("b")
    ca_pem = ca.cert_pem.bytes().decode()
    wait_until(lambda: "127.0.0.2" in starttls_certificate(B_IP, port, ca_pem), 10,
             "B to present the cluster's certificate after its restart")

    # a third machine joins: the shared configuration and the key it needs come with it
    cluster.boxes["c"] = boxes("c", C_IP, on_ports(port, reserve_on(C_IP)))
    cluster.nodes["c"] = join(cluster.boxes["c"], database.url)
    assert cluster.boxes["c"].secrets.has_key(cert.key_id)
    cluster.start("c")
    assert "127.0.0.4" in starttls_certificate(C_IP, port, ca_pem)
    assert mail_from_code(C_IP, port) == 530
    wait_until(lambda: status.check(cluster.nodes["a"]) == [], 10, "every machine consistent")
    key_pem = cluster.boxes["a"].secrets.key_path(cert.key_id).read_text()
    dump = database.dump()
    for line in key_pem.splitlines():
        if "-----" not in line:
            assert line not in dump
    assert "PRIVATE KEY" not in dump


class Load:
    """Mail sent to both machines in turn until stopped (bounded), counting failures."""

    def __init__(self, targets: list[tuple[str, int]], limit: int = 2000) -> None:
        self.targets, self.limit = targets, limit
        self.sent = self.failed = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set() and self.sent + self.failed < self.limit:
            ip, port = self.targets[(self.sent + self.failed) % len(self.targets)]
            try:
                with smtplib.SMTP(ip, port, timeout=10) as client:
                    client.sendmail("load@sender.example", ["user@example.com"],
                                    b"Subject: load\r\n\r\nhello\r\n")
                self.sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                self.failed += 1
                self.errors.append(f"{ip}: {exc}")

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def test_mail_flows_while_the_database_is_away_and_both_catch_up(
        make_cluster: Callable[[Database], Cluster], own_pg: PostgresServer) -> None:
    cluster = make_cluster(new_database(own_pg))
    port = cluster.port
    with Load([(A_IP, port), (B_IP, port)]) as load:
        wait_until(lambda: load.sent >= 10, 20, "mail to flow")
        own_pg.stop()
        wait_until(lambda: not cluster.nodes["b"].local.link().connected
                 and not cluster.nodes["a"].local.link().connected, 15,
                 "both machines to see the database gone")
        with pytest.raises(Offline, match="disconnected from the cluster"):
            cluster.commit("a", require_tls_from_partner)
        sent = load.sent
        wait_until(lambda: load.sent >= sent + 20, 30, "mail to flow without the database")
        own_pg.start()
        wait_until(lambda: cluster.nodes["a"].local.link().connected, 15, "A to reconnect")
        cluster.commit("a", require_tls_from_partner)
        wait_until(enforced(B_IP, port), 15, "B to catch up after the restart")
        wait_until(enforced(A_IP, port), 5, "A to catch up after the restart")
        wait_until(lambda: load.sent >= sent + 40, 30, "mail to flow after the restart")
    assert (load.failed, load.errors) == (0, [])
    wait_until(lambda: status.check(cluster.nodes["a"]) == [], 10, "both consistent")
    for run in cluster.running.values():
        assert run.proc is not None and run.proc.poll() is None  # never restarted
    logs = cluster.running["b"].system_logs()
    assert "disconnected from the cluster database" in logs and "connected to" in logs
    for run in cluster.running.values():
        assert pg.PASSWORD not in run.system_logs() + run.mail_logs()
    print(f"load: {load.sent} messages accepted, {load.failed} failed")
