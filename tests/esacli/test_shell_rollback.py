"""rollbackconfig (§2.4), `commit check` and `commit confirmed N` (ARCHITECTURE.md, the commit model, 3-4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from esacli import render
from esacli.commands.changes import commit, rollbackconfig
from state.edit import listeners as _edit
from state.session import Session
from state.store import Store
from tests.kit.shell import NOW, LocalAppliance, run_shell, transcript


@pytest.fixture(autouse=True)
def ports_free_here(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """These commits move listeners between the factory's 2525 and 2600-2700, which an
    appliance running on this machine (the README's first command) may hold: here every
    address counts as free. What a held port does to a commit is shown end to end by
    tests/e2e/test_busy_port_e2e.py."""
    for module in (commit, rollbackconfig):
        monkeypatch.setattr(module, "probe", lambda ip, port: None)
    yield


# indented like the transcripts it is pasted into
MENU = """
        Choose the operation you want to perform:
        - ROLLBACK - Roll back to a previously committed configuration.
        - SETUP - Configure rollback settings.
        []> """


def set_port(session: Session, name: str, port: int) -> None:
    session.stage(_edit.edit_listener(session.candidate, name, port=port))


def when(store: Store, number: int) -> str:
    return render.date(store.info(number).time)


def committed(appliance: LocalAppliance, port: int, comment: str) -> None:
    """Another session commits InboundMail on `port`."""
    other = appliance.session()
    set_port(other, "InboundMail", port)
    assert other.commit(comment) is not None


def inbound_port(store: Store, number: int | None = None) -> int:
    return next(li.port for li in store.load(number).listeners if li.name == "InboundMail")


async def test_rollback_list_bad_choice_and_commit_now(appliance: LocalAppliance) -> None:
    store = appliance.store
    committed(appliance, 2600, "moved inbound")
    session = appliance.session()
    lines = ["rollbackconfig", "setup", "ROLLBACK", "3", "x", "2", "y", "y", "", "exit"]
    screen = await run_shell(session, lines)
    d1, d2 = when(store, 1), when(store, 2)
    assert screen == transcript(f"""
        mail.example.com> rollbackconfig
        {MENU}setup

        Rollback is always enabled: every commit is saved, and any of the last 10 committed
        configurations can be restored with ROLLBACK.
        {MENU}ROLLBACK

        Committed configurations (newest first):

        Enter the number of the configuration you want to roll back to.
        1. Version 2  {d2}  admin  test  moved inbound
        2. Version 1  {d1}  admin  test  factory
        []> 3

        That value is not valid.

        Enter the number of the configuration you want to roll back to.
        1. Version 2  {d2}  admin  test  moved inbound
        2. Version 1  {d1}  admin  test  factory
        []> x

        That value is not valid.

        Enter the number of the configuration you want to roll back to.
        1. Version 2  {d2}  admin  test  moved inbound
        2. Version 1  {d1}  admin  test  factory
        []> 2

        Do you want to roll back the configuration? [N]> y

        Do you want to commit this configuration now? [N]> y

        Please enter some comments describing your changes:
        [Rolled back to version 1]> $

        Changes committed: {when(store, 3)}

        mail.example.com> exit
        """)
    info = store.info(3)
    assert (info.parent, info.user, info.source, info.comment) == (
        2, "admin", "rollback", "Rolled back to version 1")
    assert store.load(3) == store.load(1) and not session.pending
    assert [v.number for v in store.history()] == [3, 2, 1]  # append-only


async def test_rollback_not_committed_is_pending_like_any_edit(appliance: LocalAppliance) -> None:
    store = appliance.store
    committed(appliance, 2600, "moved inbound")
    session = appliance.session()
    lines = ["rollbackconfig", "rollback", "2", "", "rollbackconfig", "rollback", "2", "y", "",
             "showchanges", "commit", "undo the move", "exit"]
    screen = await run_shell(session, lines)
    assert screen.endswith(transcript(f"""
        []> 2

        Do you want to roll back the configuration? [N]> y

        Do you want to commit this configuration now? [N]> $

        The configuration of version 1 is now pending.
        Use 'showchanges' to review it, 'commit' to commit it or 'clear' to discard it.

        mail.example.com> showchanges

        {{'standalone': {{'': {{'listeners[InboundMail].port': 2525}}}}}}

        mail.example.com> commit

        Please enter some comments describing your changes:
        []> undo the move

        Changes committed: {when(store, 3)}

        mail.example.com> exit
        """))
    # the first ROLLBACK was declined: nothing staged, nothing written
    assert screen.count("Do you want to commit this configuration now?") == 1
    info = store.info(3)
    assert (info.source, info.comment) == ("test", "undo the move")
    assert inbound_port(store) == 2525


async def test_many_versions_list_the_last_ten(appliance: LocalAppliance) -> None:
    for n in range(12):
        committed(appliance, 2600 + n, f"c{n}")
    screen = await run_shell(appliance.session(), ["rollbackconfig", "rollback", "", "exit"])
    listed = [line for line in screen.splitlines() if ". Version " in line]
    assert [line.split()[2] for line in listed] == [str(n) for n in range(13, 3, -1)]


async def test_commit_check_valid_and_invalid(appliance: LocalAppliance) -> None:
    session = appliance.session()
    committed(appliance, 2600, "moved inbound")  # the head moves under the session
    set_port(session, "OutboundMail", 2525)
    lines = ["commit check", "commit CHECK", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen.startswith(transcript("""
        mail.example.com> commit check

        A commit would merge these changes committed by another session:
        listeners[InboundMail].port

        The configuration is valid. Nothing was committed.

        mail.example.com> commit CHECK
        """))
    assert appliance.store.head_number() == 2 and session.pending
    set_port(session, "OutboundMail", 2600)
    screen = await run_shell(session, ["commit check", "exit", "y"])
    assert screen.startswith(transcript("""
        mail.example.com> commit check

        The configuration is not valid:
        listeners[OutboundMail].port: Listener InboundMail already uses interface Management port 2600.
        Nothing was committed. Your changes are still pending.

        mail.example.com> exit
        """))
    assert appliance.store.head_number() == 2


async def test_commit_confirmed_then_the_confirming_commit(appliance: LocalAppliance) -> None:
    store = appliance.store
    session = appliance.session()
    set_port(session, "InboundMail", 2600)
    lines = ["commit confirmed 5", "risky", "commit confirmed 5", "commit", "commit", "exit"]
    screen = await run_shell(session, lines)
    deadline = render.date(NOW + 300)
    assert screen == transcript(f"""
        mail.example.com> commit confirmed 5

        Please enter some comments describing your changes:
        []> risky

        Changes committed: {when(store, 2)}
        The changes will be rolled back at {deadline} unless confirmed: type 'commit' before then.

        mail.example.com> commit confirmed 5

        Version 2 (commit confirmed by admin) is waiting for confirmation until {deadline}.
        Only one confirmed commit may wait at a time: confirm it with 'commit' first.

        mail.example.com> commit

        Commit of version 2 confirmed: it will not be rolled back.

        mail.example.com> commit

        There is no data to commit.

        mail.example.com> exit
        """)
    assert store.confirmation() is None and store.head_number() == 2


async def test_a_commit_with_changes_confirms_and_others_are_told(
    appliance: LocalAppliance,
) -> None:
    store = appliance.store
    alice = appliance.session()
    set_port(alice, "InboundMail", 2600)
    await run_shell(alice, ["commit confirmed 60", "risky", "exit"])
    bob = Session(store, appliance.secrets, "bob", "test")
    set_port(bob, "OutboundMail", 2700)
    screen = await run_shell(bob, ["commit", "bob's", "exit"])
    assert screen.endswith(transcript(f"""
        Changes committed: {when(store, 3)}
        Note: version 2 (commit confirmed by admin) will be rolled back at {render.date(NOW + 3600)} unless admin confirms it.

        mail.example.com> exit
        """))
    alice.stage(_edit.edit_listener(alice.candidate, "OutboundMail", max_connections=80))
    screen = await run_shell(alice, ["commit", "more", "exit"])
    assert screen.endswith(transcript(f"""
        Changes committed: {when(store, 4)}
        Commit of version 2 confirmed: it will not be rolled back.

        mail.example.com> exit
        """))
    assert store.confirmation() is None


async def test_commit_batch_errors(session: Session) -> None:
    lines = ["commit confirmed", "commit confirmed 61", "commit confirmed x", "commit now",
             "help commit", "exit"]
    screen = await run_shell(session, lines)
    assert screen == transcript("""
        mail.example.com> commit confirmed

        Invalid commit command. Type 'help commit'.

        mail.example.com> commit confirmed 61

        The value must be an integer from 1 to 60.

        mail.example.com> commit confirmed x

        The value must be an integer from 1 to 60.

        mail.example.com> commit now

        Invalid commit command. Type 'help commit'.

        mail.example.com> help commit

        commit - Commit changes.
        commit check                 validate the pending changes; commit nothing
        commit confirmed <minutes>   commit; roll back after <minutes> (1 to 60) unless a
                                     plain 'commit' confirms it

        mail.example.com> exit
        """)
