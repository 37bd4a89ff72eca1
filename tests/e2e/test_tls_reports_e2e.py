"""The issue 13 commands over OpenSSH with a pty against `esacli run`, on TLS statistics
the engine recorded from real traffic (tests/engine/tlsstats_kit.py, copied into the
appliance's data dir before it boots): `tlsreport` draws its tables on the terminal; a
staged Required - Verify makes `commit` warn and ask, and Ctrl-C / Ctrl-D at that
question, in tlsreport's, trace's and reportingconfig's dialogs commit nothing and keep
the pending change; then `yes` commits. In batch (no terminal) the question takes the
next input line: a script that does not answer it commits nothing and fails. Afterwards
the appliance still serves mail and SSH."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
import trustme

from engine.tlsstats.store import FILE
from state.secrets import Secrets
from state.store import Store
from tests.engine.tlsstats_kit import HOSTS, MX, run_traffic
from tests.kit.appliance import Appliance, mail_flows, prepared, running
from tests.kit.certs import issue_certificate
from tests.kit.dnsserver import DnsServer
from tests.kit.ssh import PROMPT, dialog, no_traceback, screen, ssh_batch, ssh_login

CTRL_C, CTRL_D = "\x03", "\x04"
MENU = "[]> "
DRY_RUN = ("Warning: wrong.test: Required - Verify would have deferred 1 of 1 deliveries in the"
           " last 7 days: certificate-host-mismatch (mx.wrong.test)")
ANYWAY = "Do you want to commit these changes anyway? [N]>"
NEW_ENTRY = ["new", "wrong.test", "n", "n", "n", "y", "5", "y", "", "", "", "", "", ""]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, ca: trustme.CA) -> Path:
    """A tlsstats.db written by an engine that served the kit's real traffic."""
    data = tmp_path_factory.mktemp("recorded")
    with DnsServer(hosts=HOSTS, mx=MX) as dns:
        asyncio.run(run_traffic(data, ca, dns, issue_certificate(ca, Secrets(data), "Test")))
    return data / FILE


@pytest.fixture
def app(tmp_path: Path, recorded: Path) -> Iterator[Appliance]:
    prepped = prepared(tmp_path)
    shutil.copy(recorded, prepped.data / FILE)
    with running(prepped) as started:
        yield started


def stage_wrong_test(child: pexpect.spawn) -> None:
    child.sendline("destconfig")
    dialog(child, [
        ("- NEW - Create a new entry.\n" + MENU, "new"),
        ("Enter the domain you wish to configure.\n[]> ", "wrong.test"),
        ("Do you wish to configure a concurrency limit for wrong.test? [Y]> ", "n"),
        ("Do you wish to apply a messages-per-connection limit to this domain? [N]> ", "n"),
        ("Do you wish to apply a recipient limit to this domain? [N]> ", "n"),
        ("Do you wish to apply a specific TLS setting for this domain? [N]> ", "y"),
        ("Do you want to use TLS support?\n5. Required - Verify\n[1]> ", "5"),
        ("Do you really wish to use the demo certificate? [N]> ", "y"),
        ("Do you wish to configure DANE Support for this domain? [N]> ", ""),
        ("Do you wish to apply a specific MTA-STS setting for this domain? [N]> ", ""),
        ("specific action when required TLS fails for this domain? [N]> ", ""),
        ("specific bounce verification address tagging setting for this domain? [N]> ", ""),
        ("Do you wish to apply a specific IP sort preference to this domain? [N]> ", ""),
        ("There are currently 1 entries configured.\n" + MENU, ""),
    ])
    child.expect_exact(PROMPT)


def press_at(child: pexpect.spawn, command: str, question: str, key: str) -> None:
    child.sendline(command)
    child.expect_exact(question)
    child.send(key)
    child.expect_exact(PROMPT)


def test_ctrl_c_and_ctrl_d_at_the_new_prompts(app: Appliance) -> None:
    child = ssh_login(app)
    child.sendline("tlsreport out day")
    child.expect_exact("Type 'help tlsreport'")
    table = screen(child)
    rows = {cells[0]: cells[1:] for line in table.splitlines() if line.startswith("│")
            for cells in [[c.strip() for c in line.strip("│ ").split("│")]]}
    assert rows["Domain"] == ["good.test", "plain.test", "wrong.test", "Total"]
    assert rows["Connections"] == ["1", "1", "1", "3"]
    assert rows["Verified"] == ["1", "0", "0", "1"]
    assert rows["Protocol versions"] == ["TLSv1.3 1", "-", "TLSv1.3 1", "TLSv1.3 2"]
    child.expect_exact(PROMPT)
    stage_wrong_test(child)
    head = Store(app.data).head_number()
    for key in (CTRL_C, CTRL_D):
        child.sendline("commit")
        child.expect_exact(DRY_RUN)
        child.expect_exact(ANYWAY)
        child.send(key)
        child.expect_exact(PROMPT)
    press_at(child, "tlsreport", "[3]>", CTRL_C)
    press_at(child, "trace", "Trace against which configuration?", CTRL_D)
    press_at(child, "reportingconfig", MENU.rstrip(), CTRL_C)
    child.sendline("reportingconfig")
    dialog(child, [(MENU, "setup")])
    child.expect_exact("[30]>")
    child.send(CTRL_D)
    child.expect_exact(PROMPT)
    assert Store(app.data).head_number() == head
    child.sendline("showchanges")
    child.expect_exact("'destinations.entries[wrong.test].tls': 'require_verify'")
    child.expect_exact(PROMPT)
    child.sendline("commit")
    dialog(child, [(ANYWAY, "yes"), ("comments describing your changes:\n[]> ", "verify")])
    child.expect_exact("Changes committed: ")
    child.expect_exact(PROMPT)
    assert Store(app.data).head_number() == head + 1
    child.sendline("exit")
    child.expect(pexpect.EOF)
    mail_flows(app)
    ssh_login(app).sendline("exit")
    no_traceback(app.console(), "the appliance's output")


def test_batch_commit_needs_an_explicit_yes(app: Appliance) -> None:
    head = Store(app.data).head_number()
    script = "destconfig\n" + "\n".join(NEW_ENTRY) + "\ncommit\n"
    unanswered = ssh_batch(app, [], script + "verify wrong.test\n")
    assert unanswered.returncode == 1
    assert DRY_RUN in unanswered.stdout and "Please answer Y or N." in unanswered.stdout
    assert Store(app.data).head_number() == head
    declined = ssh_batch(app, [], script + "no\n")
    assert declined.returncode == 1
    assert "Nothing was committed. Your changes are still pending." in declined.stdout
    assert Store(app.data).head_number() == head
    done = ssh_batch(app, [], script + "yes\nverify wrong.test\n")
    assert done.returncode == 0, done.stdout
    assert Store(app.data).head_number() == head + 1
    assert ssh_batch(app, ["tlsreport", "out", "week", "wrong.test"]).stdout.count(
        "Connections:               1") == 2  # the domain and the Total
