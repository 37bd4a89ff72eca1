"""`suspenddel` as the queue commands show it, over OpenSSH against `esacli run`: the
held recipients are "Suspended" in showrecipients (not "Delivering"), and delivernow
says that they still wait for resumedel; once resumed, the rescheduled recipient is
tried and shown as before. `trace` says what is suspended (a listener, a domain's
delivery)."""

from __future__ import annotations

import smtplib
import socket
from pathlib import Path

from engine.queue.admin import QueueAdmin
from state import model
from tests.kit.appliance import Appliance, mail_flows, prepared, running
from tests.kit.ports import reserve
from tests.kit.ssh import no_traceback, ssh_batch, ssh_exec
from tests.kit.waiting import wait_until

DOMAIN = "held.example"
RETRY = 3600  # after the first failure only delivernow would try again within the test


def prepare(tmp_path: Path) -> Appliance:
    def routed(config: model.Config) -> model.Config:
        closed = model.RouteHost(host="127.0.0.1", port=reserve())  # refused
        return model.replace(
            config, routes=(model.Route(domain=DOMAIN, hosts=(closed,)),),
            delivery=model.DeliverySettings(initial_retry_seconds=RETRY,
                                            max_retry_seconds=RETRY))

    return prepared(tmp_path, routed)


def greeting(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        return sock.recv(200)


def shown_status(app: Appliance) -> str:
    listing = ssh_batch(app, ["-T"], f"showrecipients\n1\n{DOMAIN}\nexit\n").stdout
    row = [line for line in listing.splitlines() if f"u@{DOMAIN}" in line]
    assert len(row) == 1, listing
    no_traceback(listing, "showrecipients")
    return row[0].split()[5]


def test_showrecipients_and_delivernow_name_a_suspension(tmp_path: Path) -> None:
    app = prepare(tmp_path)
    with running(app):
        with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
            client.sendmail("a@gateway.example", [f"u@{DOMAIN}"], b"Subject: s\r\n\r\nx\r\n")
        wait_until(lambda: [r.attempts for r in QueueAdmin(app.data).recipients(DOMAIN)] == [1],
                   20, "the first deferral")
        assert shown_status(app) == "Deferred"
        assert ssh_exec(app, f"suspenddel {DOMAIN}").returncode == 0
        assert shown_status(app) == "Suspended"
        done = ssh_exec(app, f"delivernow {DOMAIN}")
        assert done.stdout.strip().splitlines() == [
            f"Rescheduling all messages to {DOMAIN} for immediate delivery.",
            "Recipients rescheduled: 1",
            f"Delivery is suspended for {DOMAIN}: those recipients wait for resumedel.",
        ]
        assert shown_status(app) == "Suspended"
        assert ssh_exec(app, f"resumedel {DOMAIN}").returncode == 0
        # made due by delivernow, it is tried once resumed: refused again, deferred
        wait_until(lambda: [r.attempts for r in QueueAdmin(app.data).recipients(DOMAIN)] == [2],
                   20, "the attempt after resumedel")
        assert shown_status(app) == "Deferred"
        assert "suspended" not in ssh_exec(app, f"trace destination {DOMAIN}").stdout
        assert ssh_exec(app, "suspendlistener InboundMail").returncode == 0
        traced = ssh_exec(app, "trace 127.0.0.1").stdout
        listener = f"InboundMail (127.0.0.1:{app.inbound})\n  The listener is suspended"
        assert listener in traced and traced.count("is suspended") == 1, traced
        refused = ssh_exec(app, "resumelistener inboundmail,nosuch")
        assert (refused.returncode, refused.stdout.strip()) == (1, 'Not a valid choice: "nosuch".')
        resumed = ssh_exec(app, "resumelistener inboundmail")  # a name in another case
        assert resumed.stdout.strip() == "Receiving resumed for InboundMail."
        wait_until(lambda: greeting(app.inbound).startswith(b"220 "), 10, "a 220 again")
        mail_flows(app)
