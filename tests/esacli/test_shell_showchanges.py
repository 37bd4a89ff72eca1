"""`showchanges` shows what changed (§2.1): a new record with the settings it was given,
a removed record once, never its unset fields as None (issue 14, shell conventions)."""

from __future__ import annotations

from state.session import Session
from tests.kit.shell import run_shell, transcript

NEW_ENTRY = ["destconfig", "new", "partner.test", "n", "n", "n", "y", "3", "y", "n", "n", "n",
             "n", "n", ""]  # ... TLS 3, demo y, DANE, MTA-STS, failure, bounce, sort


async def test_a_new_entry_shows_only_what_was_set(session: Session) -> None:
    screen = await run_shell(session, [*NEW_ENTRY, "showchanges", "clear", "y", "exit"])
    shown = screen[screen.index("mail.example.com> showchanges"):screen.index("> clear")]
    assert shown == transcript("""
        mail.example.com> showchanges

        {'standalone': {'': {'destinations.entries#order': ('partner.test',),
                             'destinations.entries[partner.test].domain': 'partner.test',
                             'destinations.entries[partner.test].tls': 'required'}}}

        mail.example.com""")
    assert "None" not in shown


async def test_a_removed_record_shows_once(session: Session) -> None:
    lines = ["listenerconfig", "delete", "1", "y", "", "showchanges", "clear", "y", "exit"]
    screen = await run_shell(session, lines)
    assert transcript("""
        mail.example.com> showchanges

        {'standalone': {'': {'listeners#order': ('OutboundMail',), 'listeners[InboundMail]': None}}}
        """) in screen


async def test_a_changed_value_and_a_record_added_then_removed(session: Session) -> None:
    lines = [*NEW_ENTRY, "destconfig", "delete", "partner.test", "",
             "listenerconfig", "edit", "1", "limits", "77", "", "", "",
             "showchanges", "clear", "y", "exit"]
    screen = await run_shell(session, lines)
    assert "{'standalone': {'': {'listeners[InboundMail].max_connections': 77}}}" in screen
