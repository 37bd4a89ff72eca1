"""The console port's question styles, on the scripted console (§1.1-1.2)."""

from __future__ import annotations

import pytest

from esacli.console import EndOfInput, ScriptedConsole
from tests.kit.shell import transcript

MENU = [("EDIT", "Modify an entry."), ("EXPORT", "Export the table to a file."),
        ("DELETE", "Remove an entry.")]


async def test_menu_prefixes_case_and_ambiguity() -> None:
    console = ScriptedConsole(["e", "ex", "Del", "xyz", "EDIT", ""])
    assert await console.menu(MENU) == "EXPORT"
    assert await console.menu(MENU) == "DELETE"
    assert await console.menu(MENU) == "EDIT"
    assert await console.menu(MENU) is None
    assert console.screen == "\n" + transcript("""
        Choose the operation you want to perform:
        - EDIT - Modify an entry.
        - EXPORT - Export the table to a file.
        - DELETE - Remove an entry.
        []> e

        Unknown option: "e" is ambiguous (EDIT, EXPORT).

        Choose the operation you want to perform:
        - EDIT - Modify an entry.
        - EXPORT - Export the table to a file.
        - DELETE - Remove an entry.
        []> ex

        Choose the operation you want to perform:
        - EDIT - Modify an entry.
        - EXPORT - Export the table to a file.
        - DELETE - Remove an entry.
        []> Del

        Choose the operation you want to perform:
        - EDIT - Modify an entry.
        - EXPORT - Export the table to a file.
        - DELETE - Remove an entry.
        []> xyz

        Unknown option: "xyz"

        Choose the operation you want to perform:
        - EDIT - Modify an entry.
        - EXPORT - Export the table to a file.
        - DELETE - Remove an entry.
        []> EDIT

        Choose the operation you want to perform:
        - EDIT - Modify an entry.
        - EXPORT - Export the table to a file.
        - DELETE - Remove an entry.
        []> $
        """)


async def test_confirm_accepts_yes_no_any_case() -> None:
    console = ScriptedConsole(["YES", "No", "", "", "what", "y"])
    assert await console.confirm("Go?", False) is True
    assert await console.confirm("Go?", True) is False
    assert await console.confirm("Go?", True) is True
    assert await console.confirm("Go?", False) is False
    assert await console.confirm("Go?", False) is True
    assert console.screen.endswith("\nGo? [N]> what\n\nPlease answer Y or N.\n\nGo? [N]> y\n")


async def test_choose_by_number_or_name() -> None:
    console = ScriptedConsole(["2", "beta", "BETA", "0", "Gamma", "", ""])
    options = ["Alpha", "Beta", "Gamma"]
    assert await console.choose("Pick one.", options, None, options) == 1
    assert await console.choose("Pick one.", options, None, options) == 1
    assert await console.choose("Pick one.", options, None, options) == 1  # unique, any case
    assert await console.choose("Pick one.", options, None, options) == 2  # after "0"
    assert await console.choose("Pick one.", options, None, options) is None
    assert await console.choose("Pick one.", options, 3, options) == 2
    assert "[]> 0\n\nThat value is not valid.\n\nPick one.\n1. Alpha" in console.screen


async def test_ask_shows_default_and_bare_prompt() -> None:
    console = ScriptedConsole(["", "  x  ", "name"])
    assert await console.ask("Port?", "25") == "25"
    assert await console.ask("Text?") == "x"
    assert await console.ask("Name:", bare=True) == "name"
    assert console.screen == "\nPort?\n[25]> \n\nText?\n[]>   x  \n\nName:\n> name\n"


async def test_read_block_until_dot_even_from_one_bracketed_paste() -> None:
    console = ScriptedConsole(["line 1\nline 2\n.\nignored", "a", " . "])
    assert await console.read_block("Paste:") == "line 1\nline 2\n"
    assert await console.read_block("Paste:") == "a\n"


async def test_secrets_are_not_echoed() -> None:
    console = ScriptedConsole(["hunter2", "k1", "k2", "."])
    assert await console.ask_secret("Enter passphrase:") == "hunter2"
    assert await console.read_block("Key:", secret=True) == "k1\nk2\n"
    assert "hunter2" not in console.screen and "k1" not in console.screen
    assert console.screen == "\nEnter passphrase: \n\nKey:\n\n\n\n"


async def test_running_out_of_input_is_a_clear_error() -> None:
    console = ScriptedConsole([])
    with pytest.raises(EndOfInput, match="script exhausted at prompt"):
        await console.ask("Q?")
    assert console.exhausted
