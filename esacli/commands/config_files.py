"""Files in the appliance's `/configuration` folder (the data dir's `configuration/`),
for the IMPORT and EXPORT operations of destconfig, smtproutes, the HAT and the RAT, and
for saveconfig and loadconfig.

A name is a single file name: no folders, so an answer can never reach outside the folder.
An EXPORT never replaces a file there unless the user says so: the file may be a
saveconfig backup, the only copy of a whole configuration.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from esacli import texts
from esacli.commands.context import Context
from esacli.errors import BatchRefused, format_error
from state import files
from state.errors import FormatError

T = TypeVar("T")

_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def folder(ctx: Context) -> Path:
    return ctx.session.store.data_dir / "configuration"


def valid_name(name: str) -> bool:
    return _FILE.match(name) is not None


async def ask_name(ctx: Context, question: str) -> str | None:
    """A valid file name, re-asked until it is one; None for an empty answer."""
    while True:
        name = await ctx.console.ask(question)
        if not name:
            return None
        if valid_name(name):
            return name
        ctx.console.say(texts.files.FILE_NAME_INVALID.format(name=name))


def _place(ctx: Context, name: str) -> Path | None:
    """Where file `name` is in the folder; None, after saying why, for a name that is not
    one (whoever called: a name never leads out of the folder)."""
    if valid_name(name):
        return folder(ctx) / name
    ctx.console.say(texts.files.FILE_NAME_INVALID.format(name=name))
    return None


def read(ctx: Context, name: str) -> str | None:
    """The file's text, or None after telling the user why it cannot be read (a failure:
    the session's exit status says so)."""
    path = _place(ctx, name)
    if path is None:
        return None
    if not path.is_file():
        ctx.refuse(texts.files.FILE_MISSING.format(name=name))
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        ctx.refuse(texts.files.FILE_READ_ERROR)
        return None


def exists(ctx: Context, name: str) -> bool:
    return valid_name(name) and (folder(ctx) / name).exists()


async def ask_new_name(ctx: Context, question: str) -> str | None:
    """A file name to write to, re-asked until it is valid and, when the file exists, the
    user agrees to overwrite it (default No: asked again); None for an empty answer."""
    while True:
        name = await ask_name(ctx, question)
        if name is None or not exists(ctx, name):
            return name
        if await ctx.console.confirm(texts.files.FILE_EXISTS.format(name=name), False):
            return name


def write(ctx: Context, name: str, text: str) -> bool:
    """Write atomically (temp file, fsync, rename); False after an error message."""
    if not write_quietly(ctx, name, text):
        return False
    ctx.console.say(texts.files.EXPORT_DONE.format(hostname=ctx.config.hostname, name=name))
    return True


def write_quietly(ctx: Context, name: str, text: str) -> bool:
    """`write` without the EXPORT line (saveconfig says its own)."""
    path = _place(ctx, name)
    if path is None:
        return False
    tmp = path.with_name(f".{name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", opener=files.open_private) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError:
        ctx.console.say(texts.files.FILE_WRITE_ERROR)
        return False
    return True


async def import_table(ctx: Context, question: str, parse: Callable[[str], T]) -> T | None:
    """Ask for a file and parse it; None, after saying why, if any step fails.

    Parsing is all or nothing: a malformed file changes nothing and names its line.
    """
    name = await ask_name(ctx, question)
    text = None if name is None else read(ctx, name)
    if name is None or text is None:
        return None
    try:
        table = parse(text)
    except FormatError as exc:
        ctx.refuse(f"{format_error(exc)}\n{texts.files.IMPORT_FAILED}")
        return None
    ctx.console.say(texts.files.IMPORT_DONE.format(name=name))
    return table


async def export_table(ctx: Context, question: str, text: str) -> None:
    name = await ask_new_name(ctx, question)
    if name is not None:
        write(ctx, name, text)


# -- one-line forms: `<command> import <file>` / `export <file>` -------------------------
def batch_name(words: list[str], usage: str) -> str:
    """The one file name of a batch form; BatchRefused otherwise."""
    if len(words) != 1:
        raise BatchRefused(usage)
    if not valid_name(words[0]):
        raise BatchRefused(texts.files.FILE_NAME_INVALID.format(name=words[0]))
    return words[0]


def batch_import(ctx: Context, words: list[str], usage: str,
                 parse: Callable[[str], T]) -> T | None:
    """The table the named file holds; None (failed, said why) when there is no such
    file, BatchRefused (with the line) when it cannot be used."""
    text = read(ctx, batch_name(words, usage))
    if text is None:  # (read said why, and the session failed)
        return None
    try:
        return parse(text)
    except FormatError as refused:
        raise BatchRefused(format_error(refused)) from None


def batch_export(ctx: Context, words: list[str], usage: str, text: str) -> None:
    """The one-line form cannot ask whether to overwrite: an existing file is refused."""
    name = batch_name(words, usage)
    if exists(ctx, name):
        raise BatchRefused(texts.files.FILE_EXISTS_REFUSED.format(name=name))
    if not write(ctx, name, text):
        ctx.failed = True
