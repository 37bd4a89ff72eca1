"""The cluster database misbehaving under the production wiring: two `esacli run` members
(A 127.0.0.1, B 127.0.0.2), a real PostgreSQL, OpenSSH. A version made by hand in the
database, then the server frozen (SIGSTOP: it accepts connections and never answers):
mail keeps flowing, every SSH login and `status` works, a commit says why it cannot,
each in bounded time; thawed, both follow again by themselves."""

from __future__ import annotations

import signal
import smtplib
import time
from collections.abc import Callable, Iterator
from functools import partial

import psycopg
import pytest

from state import model
from tests.cluster.kit import Box, Database, create, join, new_database
from tests.kit.appliance import PASSWORD, Appliance
from tests.kit.appliance import on_ports as listeners_on
from tests.kit.pg import PostgresServer
from tests.kit.ports import reserve_on
from tests.kit.ssh import ssh_batch
from tests.kit.waiting import wait_until

IPS = {"a": "127.0.0.1", "b": "127.0.0.2"}


@pytest.fixture
def members(boxes: Callable[..., Box],
            own_pg: PostgresServer) -> Iterator[tuple[dict[str, Appliance], Database]]:
    database = new_database(own_pg)
    inbound, outbound = reserve_on(*IPS.values()), reserve_on(*IPS.values())

    def ports(config: model.Config) -> model.Config:
        return listeners_on(config, {"InboundMail": inbound, "OutboundMail": outbound})

    made = {name: boxes(name, ip, ports) for name, ip in IPS.items()}
    for box in made.values():
        box.secrets.set_password(PASSWORD)  # the cluster's, as `esacli run` sets it
    create(made["a"], database.url).close()
    join(made["b"], database.url).close()
    running = {name: Appliance(made[name].data, inbound, outbound, ip=ip)
               for name, ip in IPS.items()}
    try:
        for app in running.values():
            app.start()
        yield running, database
    finally:
        for app in running.values():
            if app.proc is not None:
                app.stop()


def accepted(app: Appliance) -> bool:
    with smtplib.SMTP(app.ip, app.inbound, timeout=10) as client:
        client.sendmail("s@sender.example", ["user@example.com"], b"Subject: t\r\n\r\nhi\r\n")
    return True


def connected(app: Appliance) -> bool:
    return ": connected" in timed_batch(app, ["status"])[0]


def timed_batch(app: Appliance, lines: list[str]) -> tuple[str, float]:
    started = time.monotonic()
    done = ssh_batch(app, [], "\n".join(lines) + "\n")
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout, time.monotonic() - started


def test_a_misbehaving_database_stops_no_mail_and_locks_no_one_out(
        members: tuple[dict[str, Appliance], Database], own_pg: PostgresServer) -> None:
    (running, database) = members
    a, b = running["a"], running["b"]
    for app in (a, b):
        wait_until(partial(connected, app), 15, "connected")

    # a cluster-level version made by hand that is not a document
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("INSERT INTO esacli.versions SELECT max(number) + 1, NULL, 'cluster', 0,"
                     " 'dba', 'psql', 'x', 0, 'by hand', '{not json' FROM esacli.versions")
        conn.execute("NOTIFY esacli_cluster")
    for app in (a, b):
        screen, _ = timed_batch(app, ["status"])
        assert f"Cluster: Gateways, machine {app.data.name}:" in screen
        assert accepted(app)
    screen, _ = timed_batch(a, ["clustercheck"])
    assert "Machine b (group Main_Group): cannot apply: a cluster level holds an invalid" in screen
    screen, _ = timed_batch(b, ["listenerconfig edit InboundMail hostaccess default"
                                " --max_conn=33", "commit", "over it"])
    assert "a cluster level holds an invalid document" in screen
    assert "Changes committed" not in screen and "application fault" not in screen
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("ALTER TABLE esacli.versions DISABLE TRIGGER versions_append_only")
        conn.execute("DELETE FROM esacli.versions WHERE author = 'dba'")
        conn.execute("ALTER TABLE esacli.versions ENABLE TRIGGER versions_append_only")

    # frozen: it accepts connections and never answers
    own_pg.signal_all(signal.SIGSTOP)
    try:
        for app in (a, b):
            assert accepted(app)
            screen, took = timed_batch(app, ["status"])
            assert "Cluster: Gateways" in screen and took < 8, (screen, took)
        screen, took = timed_batch(a, ["listenerconfig edit InboundMail hostaccess default"
                                       " --max_conn=34", "commit", "frozen"])
        assert "disconnected from the cluster" in screen and took < 15, (screen, took)
        wait_until(lambda: "DISCONNECTED since" in timed_batch(b, ["status"])[0], 20,
                   "B to see the database silent")
        assert accepted(b)
    finally:
        own_pg.signal_all(signal.SIGCONT)
    for app in (a, b):
        wait_until(partial(connected, app), 20, "both to follow again")
    screen, _ = timed_batch(a, ["listenerconfig edit InboundMail hostaccess default"
                                " --max_conn=35", "commit", "thawed"])
    assert "Changes committed" in screen
    wait_until(lambda: "No inconsistencies" in timed_batch(b, ["clustercheck"])[0], 15,
               "B to run it")
    for app in (a, b):
        assert app.proc is not None and app.proc.poll() is None
        assert "Traceback" not in app.system_logs()
