"""Listener and queue control, in-process transcripts: suspendlistener, resumelistener,
suspenddel, resumedel (each a version written at once, no commit asked), deleterecipients,
bouncerecipients, redirectrecipients (counts, confirmation; the request lands in the
queue database for the engine), hoststatus, workqueue, rate (one line, then Ctrl-C).
Bad input is re-asked; the clock is fixed, so dates are stable."""

from __future__ import annotations

import json
import os
import sqlite3

from engine.queue.admin import queue_db
from esacli.console import ScriptedConsole
from tests.esacli.test_shell_queue import populate
from tests.esacli.test_shell_status import document
from tests.kit.shell import LocalAppliance, load, run_shell

FIXED = 1764669600.0  # Tue Dec  2 2025, 10:00 UTC
CTRL_C, CTRL_D = ScriptedConsole.CTRL_C, ScriptedConsole.CTRL_D


def clock() -> float:
    return FIXED


def publish(appliance: LocalAppliance) -> None:
    doc = document(updated=FIXED - 1, started=FIXED - 100, pid=os.getpid())
    (appliance.store.data_dir / "status.json").write_text(json.dumps(doc))


def requests(appliance: LocalAppliance) -> list[tuple[str, int, int, str]]:
    with sqlite3.connect(queue_db(appliance.store.data_dir)) as db:
        return db.execute("SELECT action, mid, rid, target FROM requests ORDER BY id").fetchall()


async def test_suspend_and_resume_listeners(appliance: LocalAppliance) -> None:
    session = appliance.session()
    lines = ["suspendlistener", "9", "x", "2",
             "suspendlistener InboundMail,OutboundMail", "suspendlistener Nope",
             "resumelistener", "1", "resumelistener all", "suspendlistener a b", "exit"]
    screen = await run_shell(session, lines, clock=clock)
    assert screen == load("control_listeners")
    store = appliance.store
    assert [store.info(n).source for n in range(2, store.head_number() + 1)] == [
        "suspendlistener", "suspendlistener", "resumelistener"]
    assert not any(li.suspended for li in store.load().listeners)
    assert session.candidate == store.load()  # nothing pending: no commit was needed


async def test_suspend_and_resume_delivery(appliance: LocalAppliance) -> None:
    lines = ["suspenddel", "bad domain!,x", "partner.example, Other.Example.",
             "suspenddel all", "workqueue", "status", "", "resumedel", "partner.example",
             "resumedel", "", "resumedel all", "suspenddel a b", "exit"]
    publish(appliance)
    screen = await run_shell(appliance.session(), lines, clock=clock)
    assert screen == load("control_delivery")
    delivery = appliance.store.load().delivery
    assert (delivery.suspended, delivery.suspended_domains) == (False, ())


async def test_delete_bounce_and_redirect_recipients(appliance: LocalAppliance) -> None:
    populate(appliance)
    lines = ["deleterecipients", "1", "bad host!", "partner.example", "n",
             "deleterecipients", "1", "nowhere.example",
             "bouncerecipients", "2", "not an address", "alice@sender.example", "y",
             "redirectrecipients", "10.1.1.1", "relay.example", "3", "y",
             "redirectrecipients 10.1.1.1 all yes",
             "deleterecipients host other.example yes", "deleterecipients sender", "exit"]
    screen = await run_shell(appliance.session(), lines, clock=clock)
    assert screen == load("control_recipients")
    assert requests(appliance) == [
        ("bounce", 3, 0, ""), ("bounce", 3, 1, ""),
        ("redirect", 3, 0, "relay.example"), ("redirect", 3, 1, "relay.example"),
        ("redirect", 4, 0, "relay.example"), ("delete", 3, 1, "")]


async def test_hoststatus_rate_and_interrupts(appliance: LocalAppliance) -> None:
    populate(appliance)
    publish(appliance)
    lines = ["hoststatus partner.example", "hoststatus", "bad host!", "other.example",
             "hoststatus a b", "rate 0", "rate", "x", "5", CTRL_C,
             "suspendlistener", CTRL_C, "deleterecipients", "1", CTRL_D,
             "suspenddel", CTRL_C, "rate 1", CTRL_C, "exit"]
    screen = await run_shell(appliance.session(), lines, clock=clock)
    assert screen == load("control_status")
    assert appliance.store.head_number() == 1  # the interrupted dialogs wrote nothing
