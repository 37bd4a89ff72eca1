"""Menus as data: every operation is one item (name, label, handler), in screen order.

A menu is built from the labels the administrator reads (a `{NAME: label}` table of
esacli.texts, in the order shown) and one handler per name; building it fails unless
both name the same operations, so a label cannot lose its handler nor a handler its
label. The same items give the completion words, the choice ("Choose the operation"),
and the names of the one-line (batch) forms: an item may also carry a `batch` handler,
and a batch command walks the menus by item names (`listenerconfig edit InboundMail
hostaccess new ...` is EDIT, then HOSTACCESS, then NEW). The top level is the same
idea: a `Command` per top-level command (`help` and completion read the table).

Every menu loop is the same (`loop`, `run_menu`): show the header, choose an item, call
its handler; an empty answer climbs back, and so does a handler that returns DONE (an
operation after which the menu has nothing left to offer: rollbackconfig's ROLLBACK).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from esacli.commands.context import Context
from esacli.console import Console
from esacli.errors import BatchRefused

H = TypeVar("H", bound=Callable[..., Awaitable[Any]])
# A batch form's handler: the words after its item's name.
Batch = Callable[..., Any]
# A top-level command: `async def handler(ctx, args)`, args the words after its name.
Handler = Callable[[Context, Sequence[str]], Awaitable[None]]
# The handler of a menu whose operations need nothing but the context.
Operation = Callable[[Context], Awaitable[object]]


class _Done:
    """What a handler returns to end its menu."""


DONE = _Done()


@dataclass(frozen=True)
class Item(Generic[H]):
    name: str
    label: str
    handler: H
    batch: Batch | None = None


class Menu(Generic[H]):
    """The operations of one menu, in screen order."""

    def __init__(self, items: Sequence[Item[H]]) -> None:
        self.items = tuple(items)

    @classmethod
    def of(cls, labels: Mapping[str, str], handlers: Mapping[str, H],
           batch: Mapping[str, Batch] | None = None) -> Menu[H]:
        """One item per label, with the handler (and batch form) of the same name."""
        forms = batch or {}
        if set(labels) != set(handlers) or not set(forms) <= set(labels):
            raise ValueError(f"menu {list(labels)}: handlers {list(handlers)}, batch {list(forms)}")
        return cls([Item(name, label, handlers[name], forms.get(name))
                    for name, label in labels.items()])

    @property
    def names(self) -> list[str]:
        return [item.name for item in self.items]

    def without(self, *names: str) -> Menu[H]:
        return Menu([item for item in self.items if item.name not in names])

    def only(self, *names: str) -> Menu[H]:
        return Menu([item for item in self.items if item.name in names])

    def item(self, word: str) -> Item[H] | None:
        """The item a batch word names (any case, the whole name)."""
        return next((i for i in self.items if i.name.lower() == word.lower()), None)

    async def choose(self, console: Console) -> Item[H] | None:
        """The "Choose the operation" question; None for an empty answer (climb back)."""
        name = await console.menu([(item.name, item.label) for item in self.items])
        return None if name is None else next(i for i in self.items if i.name == name)

    def batch(self, words: Sequence[str], usage: str) -> tuple[Batch, list[str]]:
        """The one-line form the first word names, and the words after it; BatchRefused
        (`usage`) when it names no item with a one-line form."""
        item = self.item(words[0]) if words else None
        if item is None or item.batch is None:
            raise BatchRefused(usage)
        return item.batch, list(words[1:])


# One turn of a menu loop: the header to show (None: none), the menu, the handler's
# arguments; None when there is nothing left to edit (the record is gone).
Turn = tuple[str | None, Menu[H], tuple[Any, ...]]


async def loop(console: Console, turn: Callable[[], Turn[H] | None]) -> None:
    """Show, choose, call, until an empty answer (or `turn` finds nothing to show)."""
    while (current := turn()) is not None:
        header, menu, args = current
        if header is not None:
            console.say(header)
        item = await menu.choose(console)
        if item is None or await item.handler(*args) is DONE:
            return


async def run_menu(ctx: Context, menu: Menu[Operation] | Callable[[], Menu[Operation]],
                   header: Callable[[], str] | None = None) -> None:
    """A menu of Operations, its header (and the menu itself) read again each turn."""
    def turn() -> Turn[Operation]:
        current = menu() if callable(menu) else menu
        return (None if header is None else header()), current, (ctx,)
    await loop(ctx.console, turn)


@dataclass(frozen=True)
class Command:
    """A top-level command: its name, the description `help` shows, its handler."""

    name: str
    description: str
    handler: Handler
    usage: str = ""  # extra lines for `help <command>` (the batch syntax)
    aliases: tuple[str, ...] = field(default=())
    takes_args: bool = False  # True when the command has a one-line (batch) form
