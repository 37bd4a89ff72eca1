"""The shell without a terminal (issue 8 items 6, 10, 13): `ssh -T` with piped input and
`esacli shell` with piped input behave as an SSH exec batch does. Commands are read to the
end of the input, nothing typed at the start is lost, nothing pauses, and the exit status
is 0 only when every command did what it was asked."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time

from tests.kit import certs
from tests.kit.appliance import Appliance
from tests.kit.ssh import batch_command, no_traceback, ssh_batch
from tests.kit.waiting import wait_until

HELP = "Type 'help <command>' for more information on a specific command."
TOO_LONG = "The line is longer than 65535 characters: it was discarded."




def test_piped_ssh_without_a_pty_runs_to_the_end_of_its_input(module_appliance: Appliance) -> None:
    for _ in range(6):  # it hung, or lost its first line, 4 times out of 6
        done = ssh_batch(module_appliance, ["-T"], "help\nexit\n")
        assert (done.returncode, done.stderr) == (0, "")
        assert HELP in done.stdout
        assert "mail.example.com>" not in done.stdout


def test_the_exit_status_reports_a_failed_command(module_appliance: Appliance) -> None:
    unknown = ssh_batch(module_appliance, ["-T"], "help\nnosuchcommand\n")
    assert unknown.returncode == 1
    assert "Unknown command or missing feature key: nosuchcommand" in unknown.stdout
    refused = ssh_batch(module_appliance, ["commit confirmed 0"])
    assert refused.returncode == 1
    assert ssh_batch(module_appliance, ["status"]).returncode == 0
    no_help = ssh_batch(module_appliance, ["help nosuch"])
    assert (no_help.returncode, no_help.stdout.strip()) == (1, "help is not available for nosuch")
    own = ssh_batch(module_appliance, ["help help"])
    assert (own.returncode, own.stdout.strip()) == (0, "help - Help.\nUsage: help [command]")


def test_input_that_ends_inside_a_dialog_is_a_failure(module_appliance: Appliance) -> None:
    done = ssh_batch(module_appliance, ["destconfig"], "new\npartner.example\n")
    assert done.returncode == 1
    assert "Enter the domain you wish to configure.\n[]> partner.example\n" in done.stdout


def test_nothing_pauses_in_batch(module_appliance: Appliance) -> None:
    # certconfig warns about the demo certificate: the first line must answer its menu
    done = ssh_batch(module_appliance, ["certconfig"], "certificate\nprint\n\n\n")
    assert done.returncode == 0, done.stdout
    assert "Press Enter to continue." not in done.stdout
    assert "[]> certificate\n" in done.stdout
    assert "[]> print\n" in done.stdout


def test_a_huge_line_is_refused_quickly(module_appliance: Appliance) -> None:
    # it took 250 s through the terminal console; the process timeout bounds it here
    done = ssh_batch(module_appliance, ["-T"], "x" * 1_000_000 + "\nhelp\n")
    assert done.returncode == 1
    assert TOO_LONG in done.stdout and HELP in done.stdout


def test_esacli_shell_with_piped_input(module_appliance: Appliance) -> None:
    def shell(stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "esacli", "shell", "--data", str(module_appliance.data)],
            input=stdin, capture_output=True, text=True, timeout=60, check=False)

    done = shell("help\nexit\n")
    assert (done.returncode, done.stderr) == (0, "")
    assert HELP in done.stdout
    huge = shell("y" * 1_000_000 + "\nhelp\n")
    assert huge.returncode == 1
    assert TOO_LONG in huge.stdout and HELP in huge.stdout
    no_traceback(huge.stdout + huge.stderr, "esacli shell")


def test_a_private_key_is_never_written_back_whatever_question_it_answers(
        module_appliance: Appliance) -> None:
    """A script's key, written for a valid certificate, lands at the question about an
    expired one: every line of it is refused, and none is shown."""
    expired = certs.issue("old.example", ("old.example",), valid=certs.days(-30, -1))
    key = certs.key_pem(expired.key)
    script = f"certconfig\ncertificate\npaste\nExpiredP\n{expired.pem}.\n{key}.\n\n\n\n"
    done = ssh_batch(module_appliance, ["-T"], script)
    assert "Do you want to use it anyway? [N]>" in done.stdout
    body = [line for line in key.splitlines() if not line.startswith("-----")]
    shown = [line for line in [*body, "PRIVATE KEY"] if line in done.stdout]
    assert not shown, done.stdout
    no_traceback(done.stdout, "the session")


def test_hostaccess_one_liners_refuse_what_the_dialog_would_ask_about(
        module_appliance: Appliance) -> None:
    """Deleting a policy in use would delete its sender groups unasked; a name of digits
    would be read as a row number by the dialog."""
    hostaccess = "listenerconfig edit InboundMail hostaccess"
    used = ssh_batch(module_appliance, [f"{hostaccess} delete policy THROTTLED"])
    assert used.returncode == 1
    assert used.stdout.strip().startswith(
        'The policy "THROTTLED" is used by these sender groups: SUSPECTLIST.')
    digits = ssh_batch(module_appliance, [f"{hostaccess} new sendergroup 3 10.9.9.7 ACCEPTED"])
    assert (digits.returncode, digits.stdout.strip()) == (
        1, "A name cannot be all digits: a number picks a row of a list.")
    lower = ssh_batch(module_appliance, [f"{hostaccess} new sendergroup blacklist 10.9.9.7"
                                         " ACCEPTED"])
    assert (lower.returncode, lower.stdout.strip()) == (
        1, 'A sender group named "blacklist" already exists.')


def test_a_refused_line_keeps_the_commit_after_it_from_applying_half_a_script(
        module_appliance: Appliance) -> None:
    """A typo in the TLS line, then a route, then commit: nothing is committed."""
    script = ("destconfig new half.example --use_tls=require\n"
              "smtproutes new half.example 10.0.0.1\ncommit\nhalf a change\n")
    done = ssh_batch(module_appliance, ["-T"], script)
    assert done.returncode == 1
    assert 'Invalid use_tls "require"' in done.stdout
    assert "Nothing was committed: a line of this input before the commit failed" in done.stdout
    assert "half.example" not in ssh_batch(module_appliance, ["smtproutes print"]).stdout


def test_a_hat_import_takes_the_names_a_dialog_would_refuse_no_more(
        module_appliance: Appliance) -> None:
    hostaccess = "listenerconfig edit InboundMail hostaccess"
    exported = ssh_batch(module_appliance, [f"{hostaccess} export names.txt"])
    assert exported.returncode == 0, exported.stdout
    folder = module_appliance.data / "configuration"
    text = (folder / "names.txt").read_text()
    assert "WHITELIST:" in text and "BLACKLIST:" in text
    for name, said in (("3", "A name cannot be all digits"),
                       ("blacklist", 'Duplicate sender group "blacklist"'),
                       ("all", 'The name "all" is reserved.')):
        (folder / "names.txt").write_text(text.replace("WHITELIST:", f"{name}:"))
        done = ssh_batch(module_appliance, [f"{hostaccess} import names.txt"])
        assert done.returncode == 1, done.stdout
        assert said in done.stdout, done.stdout


def logouts(app: Appliance) -> int:
    path = app.data / "logs" / "logins"
    lines = path.read_text().splitlines() if path.exists() else []
    return sum("end" in json.loads(line) for line in lines)


def test_a_client_gone_with_changes_staged_is_no_fault(module_appliance: Appliance) -> None:
    """The session's last words (the staged changes dropped) went to a closed channel:
    system_logs had `session of admin ended by a fault` and a BrokenPipeError traceback."""
    app, before = module_appliance, logouts(module_appliance)
    command, env = batch_command(app, ["-T"])
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, env=env) as client:
        assert client.stdin is not None and client.stdout is not None
        try:
            client.stdin.write(b"sethostname gone.example.com\n")
            client.stdin.flush()
            shown, deadline = b"", time.monotonic() + 20
            while b"takes effect when you commit" not in shown:
                assert time.monotonic() < deadline, shown
                if select.select([client.stdout], [], [], 1)[0]:
                    shown += client.stdout.read1(4096)
        finally:
            client.kill()  # gone, its input never ended
    wait_until(lambda: logouts(app) > before, timeout=20, what="the session's end")
    logs = app.system_logs()
    assert "ended by a fault" not in logs
    no_traceback(logs, "system_logs")
