"""saveconfig on one running appliance, loadconfig on a fresh one, over OpenSSH: after
the commit the fresh appliance runs the same version (compared whole) and serves mail on
the listeners the file describes."""

from __future__ import annotations

import shutil
from pathlib import Path

from state import model
from state.model import TLSMode
from tests.kit.appliance import PASSWORD, committed, prepared, running
from tests.kit.ports import accepts
from tests.kit.smtp import send_mail
from tests.kit.ssh import no_traceback, ssh_batch, ssh_exec
from tests.kit.waiting import wait_until

PASSPHRASE = "saved by the e2e test"


def tls_preferred(config: model.Config) -> model.Config:
    dest = config.destinations
    return model.replace(config, hostname="gw.example.com", destinations=model.replace(
        dest, default=model.replace(dest.default, tls=TLSMode.PREFERRED)))


def test_saveconfig_then_loadconfig_on_a_fresh_appliance(tmp_path: Path) -> None:
    source = prepared(tmp_path / "a", tls_preferred)
    with running(source):
        saved = ssh_exec(source, "saveconfig", f"2\n{PASSPHRASE}\n{PASSPHRASE}\n")
        assert saved.returncode == 0, saved.stdout
        [path] = (source.data / "configuration").glob("esacli-*.conf")
        expected = committed(source.data)
    fresh = prepared(tmp_path / "b")
    with running(fresh):
        folder = fresh.data / "configuration"
        folder.mkdir(exist_ok=True)
        shutil.copy(path, folder / path.name)
        done = ssh_exec(fresh, "loadconfig",
                        f"2\n{path.name}\nnot it\n{PASSPHRASE}\nshowchanges\ncommit\nloaded\n")
        no_traceback(done.stdout, "loadconfig")
        assert done.returncode == 0, done.stdout
        assert "The passphrase does not open the secrets of this file." in done.stdout
        assert "Values have been loaded." in done.stdout and "Changes committed" in done.stdout
        assert committed(fresh.data) == expected  # version to version
        # it runs what it loaded: the listeners moved to the saved file's ports, and the
        # admin password is the one saved with it (the same here: the kit's)
        wait_until(lambda: accepts(source.inbound), timeout=20, what="the loaded listener")
        send_mail(source.inbound, "someone@example.com")
        assert ssh_exec(fresh, "status").returncode == 0
        assert PASSWORD not in path.read_text()


def test_a_paste_that_lost_its_tail_loads_nothing(tmp_path: Path) -> None:
    app = prepared(tmp_path / "a", tls_preferred)
    with running(app):
        shown = ssh_exec(app, "showconfig", "1\n")
        lines = [line for line in shown.stdout.splitlines() if " = " in line]
        users = next(i for i, line in enumerate(lines) if line.startswith("users"))
        paste = "\n".join(lines[:users])  # cut before the accounts: a lost tail
        before = committed(app.data)
        done = ssh_exec(app, "loadconfig", f"1\n{paste}\n.\nshowchanges\n")
        no_traceback(done.stdout, "loadconfig")
        assert "Parsing failed: nothing was loaded." in done.stdout, done.stdout
        assert 'the file has no end line ("end = <settings>", its last line)' in done.stdout
        assert "Values have been loaded." not in done.stdout
        # a batch stops after a dialog that failed: showchanges is not run, nothing staged
        assert done.returncode == 1
        assert done.stdout.endswith("Nothing more was run or committed.\n"), done.stdout
        assert "'standalone'" not in done.stdout and committed(app.data) == before
        send_mail(app.inbound, "someone@example.com")
        assert ssh_exec(app, "status").returncode == 0


def test_two_saves_of_one_second_keep_both_files(tmp_path: Path) -> None:
    app = prepared(tmp_path / "a")
    with running(app):
        saved = ssh_batch(app, ["-T"], "saveconfig\n1\nsaveconfig\n1\nsaveconfig\n1\n")
        assert saved.returncode == 0, saved.stdout
    names = sorted(p.name for p in (app.data / "configuration").glob("esacli-*.conf"))
    assert len(names) == 3, names  # none written over another (same second: -2, -3)
