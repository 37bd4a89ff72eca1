"""A table import that fails (no such file, a malformed line) is a failure of the session:
a script's exit status says so, and, in a dialog, the batch input stops there (what
follows could be answers the failed step never asked for)."""

from __future__ import annotations

from tests.kit.appliance import Appliance
from tests.kit.ssh import no_traceback, ssh_exec

STOPPED = "Input stopped: a line of it failed or was refused"


def failed_import(app: Appliance, name: str) -> str:
    """The screen of a batch listenerconfig HOSTACCESS IMPORT of `name`, which must fail
    the session and stop its input."""
    done = ssh_exec(app, "listenerconfig", f"edit\nInboundMail\nhostaccess\nimport\n{name}\n\n\n\n")
    no_traceback(done.stdout, "listenerconfig")
    assert done.returncode == 1
    assert STOPPED in done.stdout
    return done.stdout


def test_a_missing_file_fails_the_script(appliance: Appliance) -> None:
    screen = failed_import(appliance, "nosuch.txt")
    assert 'Error: the file "nosuch.txt" does not exist.' in screen


def test_a_malformed_file_fails_the_script(appliance: Appliance) -> None:
    (appliance.data / "configuration").mkdir(exist_ok=True)
    (appliance.data / "configuration" / "bad.txt").write_text("this is not a HAT\n")
    assert "Import failed." in failed_import(appliance, "bad.txt")
