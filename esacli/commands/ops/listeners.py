"""`suspendlistener` / `resumelistener [name[,...] | all]`: stop (or start again)
receiving on listeners. An operational command: it acts at once, no commit (§2.1).

The change is written as a version of its own (state/operations.py), so it reaches the
listeners exactly as a committed configuration does, in every process that serves them.
A suspended listener keeps its socket and answers each new connection with a 421; the
connections already open keep the version they were accepted under and finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state import numbers, operations
from state.errors import EditRefused, StoreError
from state.users import Act

ALL = "all"


def _everyone(word: str, numbered: bool) -> bool:
    return word.lower() == ALL or (numbered and numbers.parse_int(word) == 1)


def _named(known: Sequence[str], word: str) -> str | None:
    """The listener `word` names: exactly, else the one whose name differs only in case."""
    if word in known:
        return word
    folded = [name for name in known if name.lower() == word.lower()]
    return folded[0] if len(folded) == 1 else None


def _names(known: Sequence[str], answer: str, numbered: bool = True) -> list[str] | str:
    """The listeners a comma-separated answer picks (numbers as listed, 1 is All, or
    names; `all`), or the first word that picks nothing."""
    picked: list[str] = []
    for word in (w.strip() for w in answer.split(",")):
        number = numbers.parse_int(word) if numbered else None
        name = _named(known, word)
        if _everyone(word, numbered):
            picked.extend(known)
        elif number is not None and 2 <= number <= len(known) + 1:
            picked.append(known[number - 2])
        elif name is not None:
            picked.append(name)
        else:
            return word
    return list(dict.fromkeys(picked))


async def _ask(ctx: Context, question: str, known: Sequence[str]) -> str:
    """An answer that picks listeners (re-asked until it does)."""
    listing = "\n".join(f"{n}. {name}" for n, name in
                        enumerate([texts.control.LISTENERS_ALL, *known], 1))
    while True:
        answer = await ctx.console.ask(f"{question}\n{listing}", "1")
        names = _names(known, answer)
        if isinstance(names, list):
            return answer
        ctx.console.say(texts.control.LISTENERS_BAD_CHOICE.format(answer=names))


async def _run(ctx: Context, args: Sequence[str], suspend: bool) -> None:
    known = [li.name for li in ctx.session.store.load().listeners]
    if not known:
        ctx.refuse(texts.control.LISTENERS_NONE)
        return
    usage = texts.control.SUSPENDLISTENER_USAGE if suspend else texts.control.RESUMELISTENER_USAGE
    if len(args) > 1:
        ctx.refuse(usage)
        return
    if args:
        answer, numbered = args[0], False
    else:
        question = texts.control.LISTENERS_SUSPEND if suspend else texts.control.LISTENERS_RESUME
        answer, numbered = await _ask(ctx, question, known), True
    names = _names(known, answer, numbered)
    if isinstance(names, str):
        ctx.refuse(texts.control.LISTENERS_BAD_CHOICE.format(answer=names))
        return
    every = any(_everyone(w.strip(), numbered) for w in answer.split(","))
    await apply(ctx, names, suspend, every=every)


async def apply(ctx: Context, names: Sequence[str], suspend: bool, every: bool = False) -> None:
    """Write the change at once and say what it changed (with `every`, the listeners
    left as they were go unmentioned unless none changed)."""
    edit = operations.set_listeners(names, suspend)
    source = operations.SUSPENDLISTENER if suspend else operations.RESUMELISTENER
    try:
        applied = await asyncio.to_thread(
            operations.apply_now, ctx.session.store, ctx.session.user, source, edit)
    except (EditRefused, StoreError) as exc:
        ctx.refuse(str(exc))
        return
    unchanged = [n for n in names if n not in applied.changed]
    if every and applied.changed:
        unchanged = []
    lines = []
    if applied.changed:
        done = texts.control.SUSPENDED if suspend else texts.control.RESUMED
        lines.append(done.format(names=", ".join(applied.changed)))
    if unchanged:
        same = texts.control.ALREADY_SUSPENDED if suspend else texts.control.ALREADY_RESUMED
        lines.append(same.format(names=", ".join(unchanged)))
    if suspend and applied.changed:
        lines.append(texts.control.SUSPEND_NOTE)
    ctx.console.say("\n".join(lines))


async def suspendlistener(ctx: Context, args: Sequence[str]) -> None:
    await _run(ctx, args, True)


async def resumelistener(ctx: Context, args: Sequence[str]) -> None:
    await _run(ctx, args, False)


SUSPEND = Command("suspendlistener", texts.shell.DESCRIPTIONS["suspendlistener"],
                  suspendlistener, usage=texts.control.SUSPENDLISTENER_USAGE, takes_args=True,
                  kind=Act.QUEUE)
RESUME = Command("resumelistener", texts.shell.DESCRIPTIONS["resumelistener"],
                 resumelistener, usage=texts.control.RESUMELISTENER_USAGE, takes_args=True,
                 kind=Act.QUEUE)
