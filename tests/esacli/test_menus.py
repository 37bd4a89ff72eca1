"""Menus are data (esacli.commands.menu): each operation one item (name, label, handler);
the labels shown, the completion words and the one-line forms' names come from them."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest

import esacli.commands
from esacli.commands.listenerconfig import edit
from esacli.commands.listenerconfig import menu as listenerconfig
from esacli.commands.listenerconfig.hostaccess import menu as hostaccess
from esacli.commands.menu import Menu
from esacli.console import ScriptedConsole
from esacli.shell import Shell
from state.session import Session
from tests.kit.shell import run_shell


def all_menus() -> Iterator[tuple[str, Menu]]:  # type: ignore[type-arg]
    for info in pkgutil.walk_packages(esacli.commands.__path__, "esacli.commands."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Menu):
                yield f"{info.name}.{name}", value


async def handler(*args: object) -> None:
    return None


def test_a_menu_is_refused_unless_labels_and_handlers_name_the_same_operations() -> None:
    with pytest.raises(ValueError):
        Menu.of({"NEW": "Create."}, {"NEW": handler, "EDIT": handler})
    with pytest.raises(ValueError):
        Menu.of({"NEW": "Create.", "EDIT": "Modify."}, {"NEW": handler})
    with pytest.raises(ValueError):
        Menu.of({"NEW": "Create."}, {"NEW": handler}, batch={"EDIT": handler})
    menu = Menu.of({"NEW": "Create.", "EDIT": "Modify."}, {"EDIT": handler, "NEW": handler})
    assert [(i.name, i.label) for i in menu.items] == [("NEW", "Create."), ("EDIT", "Modify.")]


def test_every_menu_has_labels_and_handlers() -> None:
    found = dict(all_menus())
    assert len(found) >= 15, sorted(found)
    for where, menu in found.items():
        assert menu.items, where
        for item in menu.items:
            assert item.name.isupper() and item.label and callable(item.handler), where


async def test_completion_words_are_the_items(session: Session) -> None:
    console = ScriptedConsole(["listenerconfig", "", "exit"])
    await Shell(console, session).run()
    assert ("[]> ", tuple(listenerconfig.MENU.names)) in console.prompts
    assert listenerconfig.MENU.names == ["NEW", "EDIT", "DELETE", "SETUP"]


async def test_the_one_line_forms_walk_the_same_items(session: Session) -> None:
    assert listenerconfig.MENU.item("edit") is not None
    assert edit.MENU.item("HostAccess") is edit.MENU.items[4]
    with_forms = [i.name for i in hostaccess.MENU.items if i.batch is not None]
    assert with_forms == ["NEW", "EDIT", "DELETE", "MOVE", "DEFAULT", "PRINT", "IMPORT", "EXPORT"]
    screen = await run_shell(session, [
        "listenerconfig edit InboundMail hostaccess reset",  # RESET has no one-line form
        "listenerconfig edit InboundMail HOSTACCESS Print",
        "exit",
    ])
    assert screen.count("Invalid listenerconfig batch command.") == 1
    assert "ALL\n" in screen
