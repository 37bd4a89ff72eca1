"""`logconfig`: how mail_logs and system_logs roll over (by size, and by age if asked)
and how many rolled-over files are kept. A configuration command: the change is
staged, and applies once committed (the engine reads the version's `logs`)."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.commands.ops.logs.reading import LOGS
from esacli.commands.value_questions import ask_accepted, ask_int
from state import numbers, ranges
from state.edit.logs import put_log, settings
from state.model import Config
from state.records import replace


def _age(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _files(count: int) -> str:
    return render.plural(count, texts.logs.LOGCONFIG_FILES)


def listing(config: Config) -> list[str]:
    return [texts.logs.LOGCONFIG_LINE.format(
        name=name, kind=texts.ops.TAIL_LOG_TYPES[name], size=render.size(log.max_size),
        age=texts.logs.LOGCONFIG_AGE.format(age=_age(log.rollover_seconds))
        if log.rollover_seconds else "", files=_files(log.max_files))
        for name in LOGS for log in (settings(config, name),)]


def status(ctx: Context) -> str:
    lines = (f"{n}. {line}" for n, line in enumerate(listing(ctx.config), 1))
    return "\n".join((texts.ops.TAIL_CONFIGURED, *lines))


async def edit(ctx: Context) -> None:
    index = await ctx.console.choose(texts.logs.LOGCONFIG_EDIT, listing(ctx.config), None,
                                     list(LOGS))
    if index is None:
        return
    log = settings(ctx.config, LOGS[index])
    size = await _ask_size(ctx, log.max_size)
    if size is None:
        return
    kept = await ask_int(ctx.console, texts.logs.LOGCONFIG_MAX_FILES, log.max_files,
                         ranges.LOG_FILES)
    age = await _ask_age(ctx, log.rollover_seconds)
    if age is None:
        return
    new = replace(log, max_size=size, max_files=kept, rollover_seconds=age)
    ctx.stage(put_log(ctx.config, new))
    if 0 < age * kept < ranges.LOG_SHORT_HISTORY:
        ctx.console.say(texts.logs.LOGCONFIG_SHORT.format(
            age=_age(age), files=_files(kept), name=LOGS[index], span=_age(age * kept)))


def _size_refusal(answer: str) -> str | None:
    size = numbers.parse_size(answer)
    return None if size in ranges.LOG_SIZE else texts.logs.LOGCONFIG_BAD_SIZE


async def _ask_size(ctx: Context, current: int) -> int | None:
    answer = await ask_accepted(ctx.console, texts.logs.LOGCONFIG_MAX_SIZE, _size_refusal,
                                render.size(current))
    return None if answer is None else numbers.parse_size(answer)


def _age_refusal(answer: str) -> str | None:
    seconds = numbers.parse_duration(answer)
    ok = seconds is not None and seconds > 0 and seconds in ranges.LOG_ROLLOVER
    return None if ok else texts.logs.LOGCONFIG_BAD_INTERVAL


async def _ask_age(ctx: Context, current: int) -> int | None:
    """0 (by size only), or the interval; None for an empty interval (give up)."""
    if not await ctx.console.confirm(texts.logs.LOGCONFIG_TIMED, bool(current)):
        return 0
    shown = _age(current) if current else "1d"
    answer = await ask_accepted(ctx.console, texts.logs.LOGCONFIG_INTERVAL, _age_refusal, shown)
    return None if answer is None else numbers.parse_duration(answer)


MENU: Menu[Operation] = Menu.of(texts.logs.LOGCONFIG_MENU, {"EDIT": edit})


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: status(ctx))


COMMAND = Command("logconfig", texts.shell.DESCRIPTIONS["logconfig"], run)
