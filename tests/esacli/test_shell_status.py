"""`status` (§8.6): the screen built from a status.json the test writes, on a fixed clock,
and every way of saying the appliance is not running."""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any

from state import model
from tests.kit.shell import NOW, LocalAppliance, run_shell, transcript

UPTIME = 86400 + 2 * 3600 + 3 * 60 + 4  # 1d 2h 3m 4s


def ctime(timestamp: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(timestamp))


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": 1, "state": "running", "pid": os.getpid(),
        "started": NOW - UPTIME, "updated": NOW - 2, "version": 1,
        "hostname": "mail.example.com",
        "listeners": {
            "InboundMail": {"address": "192.168.42.42:25", "state": "running", "reason": ""},
            "OutboundMail": {"address": "192.168.42.42:587", "state": "failed",
                             "reason": "Already in use"},
        },
        "counters": {
            "messages_received": 1234, "recipients_received": 1240,
            "rejected_recipients_rat": 5, "rejected_recipients_hat": 2,
            "rejected_recipients_rate_limit": 1, "delivered_recipients": 1200,
            "hard_bounced_recipients": 30, "deleted_recipients": 0, "soft_bounced_events": 12,
        },
        "gauges": {"inbound_connections": 3, "active_recipients": 10,
                   "messages_in_queue": 9, "oldest_message": NOW - 185},
    }
    doc.update(changes)
    return doc


def publish(appliance: LocalAppliance, doc: dict[str, Any] | str) -> None:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    (appliance.store.data_dir / "status.json").write_text(text)


async def test_status_of_a_running_appliance(appliance: LocalAppliance) -> None:
    publish(appliance, document())
    screen = await run_shell(appliance.session(), ["status", "exit"])
    assert screen == transcript(f"""
        mail.example.com> status

        Status as of:                  {ctime(NOW)}
        Up since:                      {ctime(NOW - UPTIME)} (1d 2h 3m 4s)
        System status:                 Online
        Configuration version:         1
        Oldest Message:                3m 5s

        Counters:                         Uptime
          Receiving
            Messages Received              1,234
            Recipients Received            1,240
          Rejection
            Rejected Recipients                8
            Rejected Messages                  0
            Rejected Connections               0
            Timed Out Connections              0
            Refused Commands                   0
          Queue
            Soft Bounced Events               12
          Completion
            Completed Recipients           1,230
              Hard Bounced Recipients         30
              Delivered Recipients         1,200
              Deleted Recipients               0

        Gauges:                          Current
          Connections
            Current Inbound Conn.              3
          Queue
            Active Recipients                 10
            Messages In Work Queue             9

        Listeners:
          InboundMail   192.168.42.42:25   Running
          OutboundMail  192.168.42.42:587  Failed: Already in use

        mail.example.com> exit
        """)


async def test_status_detail_with_a_newer_version_pending(appliance: LocalAppliance) -> None:
    session = appliance.session()
    session.stage(model.replace(session.candidate, hostname="mx.example.com"))
    session.commit("newer than the engine")
    gauges = {"inbound_connections": 0, "active_recipients": 0, "messages_in_queue": 0,
              "oldest_message": None}
    publish(appliance, document(gauges=gauges, listeners={}, started=NOW - 59))
    screen = await run_shell(appliance.session(), ["STATUS Detail", "exit"])
    assert screen == transcript(f"""
        mx.example.com> STATUS Detail

        Status as of:                  {ctime(NOW)}
        Up since:                      {ctime(NOW - 59)} (59s)
        System status:                 Online
        Configuration version:         1 (2 pending apply)
        Oldest Message:                No Messages

        Counters:                         Uptime
          Receiving
            Messages Received              1,234
            Recipients Received            1,240
          Rejection
            Rejected Recipients                8
              Rejected by RAT                  5
              Rejected by HAT                  2
              Rate Limited                     1
              Over Recipient Limit             0
              Invalid Address                  0
            Rejected Messages                  0
            Rejected Connections               0
            Timed Out Connections              0
            Refused Commands                   0
          Queue
            Soft Bounced Events               12
          Completion
            Completed Recipients           1,230
              Hard Bounced Recipients         30
              Delivered Recipients         1,200
              Deleted Recipients               0

        Gauges:                          Current
          Connections
            Current Inbound Conn.              0
          Queue
            Active Recipients                  0
            Messages In Work Queue             0

        Listeners:
          No listeners configured.

        mx.example.com> exit
        """)


def dead_pid() -> int:
    """The pid of a process that has already ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


async def test_not_running(appliance: LocalAppliance) -> None:
    last = ctime(NOW - 40)
    cases = [
        (None, "The appliance is not running."),
        (
            document(state="stopped", updated=NOW - 40),
            f"The appliance is not running.\nLast seen: {last}",
        ),
        (document(updated=NOW - 40), f"The appliance is not running.\nLast seen: {last}"),
        (
            document(pid=dead_pid()),  # written 2 s ago, but its process is gone
            f"The appliance is not running.\nLast seen: {ctime(NOW - 2)}",
        ),
        ("{not json", "Couldn't obtain mail stats"),
        (json.dumps(document(format=2)), "Couldn't obtain mail stats"),
        (json.dumps(document(pid="me")), "Couldn't obtain mail stats"),
    ]
    for doc, expected in cases:
        path = appliance.store.data_dir / "status.json"
        if doc is None:
            path.unlink(missing_ok=True)
        else:
            publish(appliance, doc)
        screen = await run_shell(appliance.session(), ["status"], until_eof=True)
        assert screen == f"mail.example.com> status\n\n{expected}\n\nmail.example.com> ", doc


async def test_still_running_until_thirty_seconds_without_a_write(
    appliance: LocalAppliance,
) -> None:
    publish(appliance, document(updated=NOW - 30))
    screen = await run_shell(appliance.session(), ["status"], until_eof=True)
    assert "System status:                 Online" in screen


async def test_bad_arguments_show_the_usage(appliance: LocalAppliance) -> None:
    screen = await run_shell(appliance.session(), ["status now", "help status", "exit"])
    assert screen == transcript("""
        mail.example.com> status now

        Usage: status [detail]

        mail.example.com> help status

        status - System status.
        Usage: status [detail]

        mail.example.com> exit
        """)

