"""`commit` (§2.2): merge if needed, validate, write one version.

Beyond the appliance (commit model §4): `commit check` validates and writes
nothing; both test-bind the listener addresses the commit would newly listen
on, so a port another program holds is refused now rather than found failed at
apply time. `commit confirmed N` commits and, unless a plain `commit` by the same
user confirms within N minutes, the previous version comes back on its own (the
timer lives in the store, see state/confirm.py and esacli/confirm_timer.py).

Before anything is checked or written, both print the warnings of
esacli/commands/changes/warnings.py (the dry run of every TLS setting the change makes
stricter, shadowed sender groups); when the dry run says deliveries or connections would
have failed, `commit` asks first (default No; Ctrl-C or Ctrl-D there leave the dialog;
either way nothing is written and the candidate is kept).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.inbound.binding import probe
from esacli import render, texts
from esacli.commands.changes import warnings
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.errors import commit_refused
from state import confirm, ranges
from state.errors import CommitRefused, ConfirmationPending, StateError
from state.session import CommitResult
from state.users import Act


async def commit(ctx: Context, args: Sequence[str]) -> None:
    words = [a.lower() for a in args]
    if not words:
        await _commit(ctx, None)
    elif words == ["check"]:
        await _check(ctx)
    elif len(words) == 2 and words[0] == "confirmed":
        minutes = _minutes(words[1])
        if minutes is None:
            ctx.refuse(ranges.CONFIRM_MINUTES.message)
        else:
            await _commit(ctx, minutes)
    else:
        ctx.refuse(texts.changes.COMMIT_BAD_ARGS)


def _minutes(text: str) -> int | None:
    return ranges.CONFIRM_MINUTES.parse(text)


async def _check(ctx: Context) -> None:
    if not ctx.session.pending:  # nothing of this session's: no merge to speak of
        ctx.console.say(texts.changes.NO_DATA_TO_COMMIT)
        return
    await warnings.say(ctx)
    try:
        merged = await ctx.call(ctx.session.verify, probe=probe)
    except CommitRefused as refused:
        _say_refused(ctx, refused)
        return
    except StateError as exc:  # a cluster member that cannot reach the cluster database
        ctx.refuse(str(exc))
        return
    if merged:
        ctx.console.say("\n".join([texts.changes.COMMIT_CHECK_MERGE, *merged]))
    ctx.console.say(texts.changes.COMMIT_CHECK_OK)


async def _commit(ctx: Context, minutes: int | None) -> None:
    # the safer rule: while one confirmed commit waits, no other starts (nor extends it)
    if minutes is not None and (waiting := await ctx.call(ctx.session.confirmation)) is not None:
        _say_waiting(ctx, waiting.version, waiting.user, waiting.deadline)
        return
    if not ctx.session.pending:
        await _nothing_pending(ctx)
        return
    if ctx.console.scripted_input and ctx.failed:  # a script's refused line: not half of it
        ctx.refuse(texts.changes.SCRIPT_FAILED_BEFORE)
        return
    found = await warnings.say(ctx)
    if found.would_fail and not await ctx.console.confirm(texts.changes.COMMIT_ANYWAY, False):
        ctx.refuse(texts.changes.NOTHING_COMMITTED)
        return
    comment = await ctx.console.ask(texts.changes.COMMIT_COMMENT)
    until = None if minutes is None else confirm.deadline(ctx.clock(), minutes)
    try:
        result = await ctx.call(ctx.session.commit, comment, confirm_until=until, probe=probe)
    except CommitRefused as refused:
        _say_refused(ctx, refused)
        return
    except ConfirmationPending as busy:  # another session's confirmed commit got in first
        _say_waiting(ctx, busy.version, busy.user, busy.deadline)
        return
    except StateError as exc:  # a cluster member: disconnected at Cluster or Group level
        ctx.refuse(str(exc))
        return
    if result is None:  # the candidate turned out equal to the head
        ctx.console.say(texts.changes.NO_DATA_TO_COMMIT)
        return
    await _say_committed(ctx, result, until)


async def _nothing_pending(ctx: Context) -> None:
    """A plain `commit` with nothing pending still confirms the user's confirmed commit."""
    confirmed = await ctx.call(ctx.session.confirm)
    elsewhere = [s.level.label for s in ctx.cluster.pending] if ctx.cluster else []
    if confirmed is None and elsewhere:  # a cluster member commits one mode at a time
        ctx.console.say(texts.cluster.PENDING_ELSEWHERE.format(modes=", ".join(elsewhere)))
    elif confirmed is None:
        ctx.console.say(texts.changes.NO_DATA_TO_COMMIT)
    else:
        ctx.console.say(texts.changes.COMMIT_CONFIRMED.format(version=confirmed.version))


async def _say_committed(ctx: Context, result: CommitResult, until: float | None) -> None:
    if result.merged:
        ctx.console.say("\n".join([texts.changes.COMMIT_MERGED, *result.merged]))
    lines = [texts.changes.COMMITTED.format(date=render.date(result.info.time))]
    if getattr(result, "offline", False):  # a cluster member's machine-only commit, offline
        lines.append(texts.cluster.COMMITTED_OFFLINE)
    if result.confirmed is not None:
        lines.append(texts.changes.COMMIT_CONFIRMED.format(version=result.confirmed.version))
    if until is not None:
        lines.append(texts.changes.COMMIT_ROLLBACK_AT.format(date=render.date(until)))
    elif (waiting := await ctx.call(ctx.session.confirmation)) is not None:
        lines.append(texts.changes.CONFIRM_WAITING.format(
            version=waiting.version, user=waiting.user, date=render.date(waiting.deadline)))
    ctx.console.say("\n".join(lines))


def _say_refused(ctx: Context, refused: CommitRefused) -> None:
    ctx.refuse(commit_refused(refused))


def _say_waiting(ctx: Context, version: int, user: str, deadline: float) -> None:
    ctx.refuse(texts.changes.CONFIRM_PENDING.format(
        version=version, user=user, date=render.date(deadline)))


COMMAND = Command("commit", texts.shell.DESCRIPTIONS["commit"], commit,
                  usage=texts.changes.COMMIT_USAGE,
                  takes_args=True, kind=Act.COMMIT)
