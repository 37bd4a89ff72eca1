"""The one-line import and export forms take a file name in `configuration/` and
nothing else: a path (`../secrets/admin.password`, `/etc/shadow`, `a/b`, `..`) is refused
with the appliance's message before anything is read or written."""

from __future__ import annotations

from pathlib import Path

from esacli import texts
from tests.kit.appliance import prepared, running
from tests.kit.ssh import ssh_exec

HOSTACCESS = "listenerconfig edit InboundMail hostaccess"
PATHS = [("import", "../secrets/admin.password"), ("import", "/etc/shadow"),
         ("export", "a/b"), ("export", ".."), ("export", "../../exported.txt")]


def test_a_path_is_refused_as_a_file_name(tmp_path: Path) -> None:
    app = prepared(tmp_path)
    with running(app):
        for operation, name in PATHS:
            done = ssh_exec(app, f"{HOSTACCESS} {operation} {name}")
            assert texts.files.FILE_NAME_INVALID.format(name=name) in done.stdout + done.stderr
            assert done.returncode != 0, name
            assert "scrypt$" not in done.stdout and "root:" not in done.stdout
        assert "Traceback" not in app.system_logs()
        assert not list((app.data / "configuration").glob(".*"))  # nothing left behind
        assert not list(tmp_path.rglob("exported.txt"))
        done = ssh_exec(app, f"{HOSTACCESS} export hat.txt")  # a name: written as before
        assert done.returncode == 0 and (app.data / "configuration" / "hat.txt").is_file()
