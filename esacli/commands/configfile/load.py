"""`loadconfig` (§2.5): a configuration file (state/config_file.py), pasted or from the
configuration folder, staged as this session's pending changes (`showchanges` shows
them, `commit` applies them, `clear` drops them).

A file that cannot be taken whole is refused with every problem listed: its lines and
settings first, then, once its secrets are in hand, every validation error of the whole
configuration. Secrets: an encrypted file asks for its passphrase; a masked one asks for
each private key and password this appliance does not have already.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from esacli import texts
from esacli.commands import config_files
from esacli.commands.configfile.secrets import Wanted, gather
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.errors import EndOfInput
from state import config_file, validate
from state.errors import AccessRefused, StateError

END_OF_PASTE = "."


async def _paste(ctx: Context) -> str:
    """Lines until Ctrl-D (or a line holding only "."), as the appliance's paste mode."""
    ctx.console.write(f"\n{texts.configfile.LOAD_PASTE}\n")
    lines: list[str] = []
    while True:
        try:
            answer = await ctx.console.readline("")
        except EndOfInput as eof:
            if eof.final:
                raise
            return "\n".join(lines)
        for line in answer.replace("\r\n", "\n").split("\n"):
            if line.strip() == END_OF_PASTE:
                return "\n".join(lines)
            lines.append(line)


async def _text(ctx: Context) -> str | None:
    index = await ctx.console.choose(texts.configfile.LOAD_METHOD, texts.configfile.LOAD_METHODS,
                                     1)
    if index == 0:
        return await _paste(ctx)
    name = await config_files.ask_name(ctx, texts.configfile.LOAD_FILE)
    return None if name is None else config_files.read(ctx, name)


async def loadconfig(ctx: Context, args: Sequence[str]) -> None:
    if ctx.session.pending and not await ctx.console.confirm(texts.configfile.LOAD_DISCARD, False):
        return
    text = await _text(ctx)
    if text is None:
        return
    if not text.strip():
        ctx.refuse(texts.configfile.LOAD_NO_DATA)
        return
    try:
        loaded = config_file.parse(text)
    except config_file.FileRefused as refused:
        _refuse(ctx, texts.configfile.LOAD_PARSING_FAILED, refused.problems)
        return
    try:
        wanted = await gather(ctx, loaded)
    except StateError as damaged:  # an encrypted value that does not open
        _refuse(ctx, texts.configfile.LOAD_PARSING_FAILED, [damaged])
        return
    errors = await asyncio.to_thread(validate.validate, loaded.config, ctx.session.secrets)
    if errors:
        _refuse(ctx, texts.configfile.LOAD_INVALID, errors)
        return
    _stage(ctx, loaded.config, wanted)


def _refuse(ctx: Context, headline: str, problems: Sequence[StateError]) -> None:
    ctx.refuse("\n".join([headline, *(f"  {p}" for p in problems)]))


def _stage(ctx: Context, config: config_file.Config, wanted: Wanted) -> None:
    """The loaded configuration replaces this session's candidate, with the passwords
    that differ from this appliance's; nothing is staged if either is refused."""
    session = ctx.session
    if config == session.candidate and not wanted.passwords:
        ctx.console.say(texts.configfile.LOAD_NO_CHANGES)
        return
    session.clear()
    try:
        ctx.stage(config)
        for user, line in wanted.passwords.items():
            session.stage_password(user, line)
    except AccessRefused:
        session.clear()
        raise
    ctx.console.say(texts.configfile.LOAD_DONE)


COMMAND = Command("loadconfig", texts.shell.DESCRIPTIONS["loadconfig"], loadconfig)
