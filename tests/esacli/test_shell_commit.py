"""commit / clear / showchanges / exit transcripts and the per-session candidate (§2, §1.3)."""

from __future__ import annotations

from esacli import render
from state import model
from state.edit import listeners as _edit
from state.model import TLSMode
from state.session import Session
from tests.kit.shell import NOW, LocalAppliance, run_shell, transcript


def set_port(session: Session, name: str, port: int) -> None:
    session.stage(_edit.edit_listener(session.candidate, name, port=port))


def set_tls(session: Session, name: str, mode: TLSMode) -> None:
    li = model.by_name(session.candidate.listeners, name)
    assert li is not None
    params = model.replace(li.hat.default, tls=mode)
    session.stage(
        _edit.put_listener(session.candidate, name, _edit.with_default_params(li, params)))


def head_date(appliance: LocalAppliance) -> str:
    return render.date(appliance.store.info(appliance.store.head_number()).time)


async def test_nothing_pending(session: Session) -> None:
    screen = await run_shell(session, ["commit", "clear", "showchanges", "exit"])
    assert screen == transcript("""
        mail.example.com> commit

        There is no data to commit.

        mail.example.com> clear

        No changes have been made since the last commit.

        mail.example.com> showchanges

        {'standalone': {'': {}}}

        mail.example.com> exit
        """)


async def test_commit_writes_a_version(appliance: LocalAppliance) -> None:
    session = appliance.session()
    set_port(session, "InboundMail", 2600)
    screen = await run_shell(session, ["showchanges", "commit", "moved inbound", "exit"])
    assert screen == transcript(f"""
        mail.example.com> showchanges

        {{'standalone': {{'': {{'listeners[InboundMail].port': 2600}}}}}}

        mail.example.com> commit

        Please enter some comments describing your changes:
        []> moved inbound

        Changes committed: {head_date(appliance)}

        mail.example.com> exit
        """)
    info = appliance.store.info(2)
    assert (info.parent, info.user, info.source, info.comment) == (1, "admin", "test",
                                                                   "moved inbound")
    assert not session.pending


async def test_empty_comment_is_accepted(appliance: LocalAppliance) -> None:
    session = appliance.session()
    set_port(session, "InboundMail", 2600)
    await run_shell(session, ["commit", "", "exit"])
    assert appliance.store.info(2).comment == ""


async def test_clear_asks_then_drops_changes(session: Session) -> None:
    set_port(session, "InboundMail", 2600)
    screen = await run_shell(session, ["clear", "n", "clear", "", "showchanges", "exit"])
    assert screen == transcript(f"""
        mail.example.com> clear
        Are you sure you want to clear all changes since the last commit? [Y]> n

        mail.example.com> clear
        Are you sure you want to clear all changes since the last commit? [Y]> $
        Changes cleared: {render.date(NOW)}

        mail.example.com> showchanges

        {{'standalone': {{'': {{}}}}}}

        mail.example.com> exit
        """)
    assert not session.pending


async def test_invalid_candidate_is_refused_with_every_path(appliance: LocalAppliance) -> None:
    session = appliance.session()
    set_port(session, "OutboundMail", 2525)
    screen = await run_shell(session, ["commit", "bad", "exit", "y"])
    assert screen == transcript("""
        mail.example.com> commit

        Please enter some comments describing your changes:
        []> bad

        The configuration is not valid:
        listeners[OutboundMail].port: Listener InboundMail already uses interface Management port 2525.
        Nothing was committed. Your changes are still pending.

        mail.example.com> exit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> y
        """)
    assert appliance.store.head_number() == 1


async def test_exit_warning_keeps_the_session_on_no(session: Session) -> None:
    set_port(session, "InboundMail", 2600)
    screen = await run_shell(session, ["exit", "", "quit", "maybe", "no", "q", "yes"])
    assert screen == transcript("""
        mail.example.com> exit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> $

        mail.example.com> quit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> maybe

        Please answer Y or N.
        Are you sure you wish to exit? [N]> no

        mail.example.com> q

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> yes
        """)


async def test_sessions_do_not_see_each_others_edits_until_commit(
    appliance: LocalAppliance,
) -> None:
    alice, bob = appliance.session(), appliance.session()
    set_tls(alice, "InboundMail", TLSMode.REQUIRED)
    bob_view = await run_shell(bob, ["showchanges", "exit"])
    assert "{'standalone': {'': {}}}" in bob_view
    assert model.by_name(bob.candidate.listeners, "InboundMail").hat.default.tls is TLSMode.NO
    await run_shell(alice, ["commit", "require TLS", "exit"])
    # bob keeps his base until he commits; a new session starts from the new head
    assert model.by_name(bob.candidate.listeners, "InboundMail").hat.default.tls is TLSMode.NO
    carol = appliance.session()
    assert model.by_name(carol.candidate.listeners, "InboundMail").hat.default.tls is (
        TLSMode.REQUIRED)


async def test_commit_merges_disjoint_changes_and_says_so(appliance: LocalAppliance) -> None:
    alice, bob = appliance.session(), appliance.session()
    set_tls(alice, "InboundMail", TLSMode.REQUIRED)
    set_port(bob, "OutboundMail", 2600)
    await run_shell(alice, ["commit", "a", "exit"])
    screen = await run_shell(bob, ["commit", "b", "exit"])
    assert screen == transcript(f"""
        mail.example.com> commit

        Please enter some comments describing your changes:
        []> b

        These changes committed by another session were merged:
        listeners[InboundMail].hat.default.tls

        Changes committed: {head_date(appliance)}

        mail.example.com> exit
        """)
    head = appliance.store.load()
    assert model.by_name(head.listeners, "InboundMail").hat.default.tls is TLSMode.REQUIRED
    assert model.by_name(head.listeners, "OutboundMail").port == 2600


async def test_conflicting_commit_names_base_theirs_mine(appliance: LocalAppliance) -> None:
    alice, bob = appliance.session(), appliance.session()
    set_port(alice, "InboundMail", 2600)
    set_port(bob, "InboundMail", 2700)
    await run_shell(alice, ["commit", "a", "exit"])
    screen = await run_shell(bob, ["commit", "b", "exit", "y"])
    assert screen == transcript("""
        mail.example.com> commit

        Please enter some comments describing your changes:
        []> b

        Another session committed changes to the same settings:
        listeners[InboundMail].port
            committed before: 2525
            theirs: 2600
            yours: 2700
        Nothing was committed. Your changes are still pending.
        To keep yours, type 'clear' and make those changes again: they then apply to what the other session committed.

        mail.example.com> exit

        Configuration changes entered but not committed. Exiting will lose changes.
        Type 'commit' at the command prompt to commit changes.
        Are you sure you wish to exit? [N]> y
        """)
    assert appliance.store.head_number() == 2
    assert bob.pending
