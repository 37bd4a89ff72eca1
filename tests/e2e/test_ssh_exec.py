"""`ssh admin@host 'command'`: batch use of the shell over an SSH exec request.

The command runs first; the client's input supplies later lines (answers, more
commands, `commit` and its comment); the session ends with the input.
"""

from __future__ import annotations

from state.store import Store
from tests.kit.appliance import Appliance
from tests.kit.ssh import ssh_exec


def test_a_batch_command_prints_only_its_output(appliance: Appliance) -> None:
    done = ssh_exec(appliance, "listenerconfig edit InboundMail hostaccess print")
    assert done.returncode == 0, done.stderr
    assert "UNKNOWNLIST:\n" in done.stdout
    assert "mail.example.com>" not in done.stdout


def test_input_answers_the_dialog_and_commits(appliance: Appliance) -> None:
    # destconfig NEW for partner.example, taking every default, then commit with a comment
    answers = "new\npartner.example\n" + "\n" * 13 + "commit\nbatch change\n"
    done = ssh_exec(appliance, "destconfig", stdin=answers)
    assert done.returncode == 0, done.stderr
    assert "Enter the domain you wish to configure.\n[]> partner.example\n" in done.stdout
    assert "Changes committed: " in done.stdout
    store = Store(appliance.data)
    try:
        assert [e.domain for e in store.load().destinations.entries] == ["partner.example"]
        assert store.info(store.head_number()).comment == "batch change"
    finally:
        store.close()


def test_uncommitted_batch_changes_are_dropped(appliance: Appliance) -> None:
    done = ssh_exec(appliance, "destconfig", stdin="new\nother.example\n" + "\n" * 13)
    assert done.returncode == 1, done.stderr  # said, and a failure: the script lost them
    assert done.stdout.endswith("configuration changes not committed: they were discarded.\n"
                                "End the input with 'commit' to keep them.\n")
    store = Store(appliance.data)
    try:
        assert store.load().destinations.entries == ()
    finally:
        store.close()


def test_input_ending_inside_a_dialog_says_its_staged_changes_are_dropped(
        appliance: Appliance) -> None:
    done = ssh_exec(appliance, "smtproutes", stdin="new\nended.example\n10.0.0.1\n")
    assert done.returncode == 1
    assert "they were discarded" in done.stdout, done.stdout
