"""A table import that fails (no such file, a malformed line) is a failure of the session:
a script's exit status says so, and, in a dialog, the batch input stops there (what
follows could be answers the failed step never asked for)."""

from __future__ import annotations

from tests.kit.appliance import Appliance
from tests.kit.ssh import no_traceback, ssh_exec

STOPPED = "Input stopped: a line of it failed or was refused"


def test_a_missing_file_fails_the_script(appliance: Appliance) -> None:
    done = ssh_exec(appliance, "listenerconfig", "edit\nInboundMail\nhostaccess\nimport\n"
                                                 "nosuch.txt\n\n\n\n")
    no_traceback(done.stdout, "listenerconfig")
    assert 'Error: the file "nosuch.txt" does not exist.' in done.stdout
    assert done.returncode == 1
    assert STOPPED in done.stdout


def test_a_malformed_file_fails_the_script(appliance: Appliance) -> None:
    (appliance.data / "configuration").mkdir(exist_ok=True)
    (appliance.data / "configuration" / "bad.txt").write_text("this is not a HAT\n")
    done = ssh_exec(appliance, "listenerconfig", "edit\nInboundMail\nhostaccess\nimport\n"
                                                 "bad.txt\n\n\n\n")
    no_traceback(done.stdout, "listenerconfig")
    assert "Import failed." in done.stdout
    assert done.returncode == 1
    assert STOPPED in done.stdout
