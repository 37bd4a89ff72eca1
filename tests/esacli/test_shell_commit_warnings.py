"""Shadowed sender groups: HOSTACCESS NEW and MOVE (dialog and one-line forms) warn when
they make a group unreachable, naming the row that shadows it; `commit check` and
`commit` warn about every such group. The seed's mistake: a new group lands below
UNKNOWNLIST, which matches every client here."""

from __future__ import annotations

from esacli.console import ScriptedConsole
from tests.kit.shell import LocalAppliance, run_shell, transcript

EDIT = "listenerconfig edit InboundMail hostaccess"
SHADOWED = ('Warning: listener InboundMail: sender group "TLS_Senders" can never match:'
            ' every sender it lists is matched first by "UNKNOWNLIST" above it.')


async def test_one_line_new_warns_and_move_fixes(appliance: LocalAppliance) -> None:
    screen = await run_shell(appliance.session(), [
        f"{EDIT} new sendergroup TLS_Senders 127.0.0.2 accept",
        "commit check",
        f"{EDIT} move TLS_Senders SUSPECTLIST",
        "commit check",
        "exit", "y"])
    assert screen == transcript(f"""
        mail.example.com> {EDIT} new sendergroup TLS_Senders 127.0.0.2 accept

        {SHADOWED}

        mail.example.com> commit check

        {SHADOWED}

        The configuration is valid. Nothing was committed.

        mail.example.com> {EDIT} move TLS_Senders SUSPECTLIST

        mail.example.com> commit check

        The configuration is valid. Nothing was committed.

        mail.example.com> exit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> y
        """)


async def test_move_below_warns_and_commit_warns_without_asking(
        appliance: LocalAppliance) -> None:
    """A shadowed group alone is a warning: nothing would have failed, so commit does not
    ask; the version is written."""
    session = appliance.session()
    head = appliance.store.head_number()
    screen = await run_shell(session, [
        f"{EDIT} new sendergroup TLS_Senders 127.0.0.2 accept",
        f"{EDIT} move TLS_Senders SUSPECTLIST",
        f"{EDIT} move TLS_Senders ALL",
        "commit", "a dead group", "exit"])
    assert screen.count(SHADOWED) == 3  # NEW, the MOVE below UNKNOWNLIST, commit
    assert f"mail.example.com> commit\n\n{SHADOWED}\n\nPlease enter some comments" in screen
    assert appliance.store.head_number() == head + 1


async def test_the_dialog_warns_and_ctrl_c_stages_nothing(appliance: LocalAppliance) -> None:
    """HOSTACCESS NEW in the dialog warns once it stages; Ctrl-C or Ctrl-D inside it
    stages nothing, so there is nothing to warn about."""
    session = appliance.session()
    into_new = ["listenerconfig", "edit", "InboundMail", "hostaccess", "new", "1",
                "TLS_Senders", "127.0.0.2"]
    screen = await run_shell(session, [
        *into_new, ScriptedConsole.CTRL_C, *into_new, ScriptedConsole.CTRL_D, "commit check",
        *into_new, "6", "", "", "", "", "exit", "y"])
    assert screen.count(SHADOWED) == 1
    assert screen.index(SHADOWED) > screen.index("There is no data to commit.")
