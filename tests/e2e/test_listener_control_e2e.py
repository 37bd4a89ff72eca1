"""suspendlistener / resumelistener against a real `esacli run`, under a mail load: the
sessions open when the listener is suspended finish (more messages, 250s, QUIT), new
connections get the polite 421, and after resumelistener new ones are served again.
The change goes through the store as a version (source "suspendlistener"), like any
commit; no commit is asked of the administrator."""

from __future__ import annotations

import asyncio
import smtplib
import socket
from pathlib import Path

from state.store import Store
from tests.kit.appliance import Appliance, prepared, running
from tests.kit.smtp import RawSmtp, send_mail
from tests.kit.ssh import ssh_exec
from tests.kit.waiting import wait_until

SENDERS = 4  # sessions open across the suspension
MESSAGES = 3  # each sends this many before and this many after it
REFUSAL = "421 4.3.2 "


async def _message(client: RawSmtp, n: int) -> None:
    assert (await client.cmd(f"MAIL FROM:<s{n}@partner.example>"))[0] == 250
    assert (await client.cmd("RCPT TO:<user@example.com>"))[0] == 250
    assert (await client.cmd("DATA"))[0] == 354
    code, _ = await client.cmd(f"Subject: load {n}\r\n\r\nhello\r\n.")
    assert code == 250


async def _open_session(app: Appliance) -> RawSmtp:
    client = await RawSmtp.connect(app.inbound)
    assert (await client.reply())[0] == 220
    assert (await client.cmd("EHLO load.example"))[0] == 250
    return client


def _greeting(app: Appliance) -> str:
    """The first line a new connection gets."""
    with socket.create_connection(("127.0.0.1", app.inbound), timeout=10) as conn:
        return conn.makefile("rb").readline().decode().rstrip("\r\n")


async def _greeted(app: Appliance, start: str, what: str) -> None:
    await asyncio.to_thread(wait_until, lambda: _greeting(app).startswith(start), 10, what)


async def test_suspend_lets_open_sessions_finish_and_refuses_new_ones(tmp_path: Path) -> None:
    with running(prepared(tmp_path)) as app:
        sessions = [await _open_session(app) for _ in range(SENDERS)]
        for n, client in enumerate(sessions):
            for _ in range(MESSAGES):
                await _message(client, n)

        done = await asyncio.to_thread(ssh_exec, app, "suspendlistener InboundMail")
        assert done.returncode == 0, done.stderr
        assert done.stdout == (
            "\nReceiving suspended for InboundMail.\nNew connections are refused with 421;"
            " open connections finish their work.\n\n")
        await _greeted(app, REFUSAL, "the 421 of a suspended listener")
        assert _greeting(app).startswith(REFUSAL + "mail.example.com ")
        assert "Receiving Failed: Listener suspended" in app.mail_logs()
        status = await asyncio.to_thread(wait_until, lambda: "Suspended (suspendlistener)"
                                         in ssh_exec(app, "status").stdout, 15, "status")
        assert status

        for n, client in enumerate(sessions):  # nothing open was cut
            for _ in range(MESSAGES):
                await _message(client, n)
            assert (await client.cmd("QUIT"))[0] == 221
            await client.close()
        with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as other:  # still served
            assert other.noop()[0] == 250

        store = Store(app.data)
        try:
            head = store.info(store.head_number())
            assert (head.source, head.user) == ("suspendlistener", "admin")
            assert next(li for li in store.load().listeners
                        if li.name == "InboundMail").suspended
        finally:
            store.close()

        resumed = await asyncio.to_thread(ssh_exec, app, "resumelistener all")
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.stdout == "\nReceiving resumed for InboundMail.\n\n"
        await _greeted(app, "220 ", "a 220 again")
        await asyncio.to_thread(send_mail, app.inbound)
        accepted = app.mail_logs().count(" ready ")
        assert accepted == 2 * SENDERS * MESSAGES + 1


async def test_a_suspension_survives_a_restart(tmp_path: Path) -> None:
    """It is a version: the appliance boots with the listener suspended, and says so."""
    with running(prepared(tmp_path)) as app:
        done = await asyncio.to_thread(ssh_exec, app, "suspendlistener InboundMail")
        assert done.returncode == 0, done.stderr
        await asyncio.to_thread(app.stop)
        await asyncio.to_thread(app.start)
        assert f"InboundMail on 127.0.0.1:{app.inbound}: Suspended" in app.console()
        assert _greeting(app).startswith(REFUSAL)
        resumed = await asyncio.to_thread(ssh_exec, app, "resumelistener", "1\n")
        assert resumed.returncode == 0 and "Receiving resumed for InboundMail." in resumed.stdout
