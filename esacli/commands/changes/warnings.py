"""What `commit check` and `commit` warn about before anything is written (issue 13):

- every destination control and sender group policy the change makes stricter, with the
  dry run over the last 7 days of recorded connections (engine/tlsstats/dryrun.py):
  "partner.example: Required - Verify would have deferred 3 of 120 deliveries in the last
  7 days: certificate-host-mismatch (mx2.partner.example)";
- every sender group that can never match, naming the rows above that take its senders
  (state/hat_shadow.py);
- every listener that starts asking clients for certificates (state/cert_rows.py).

`would_fail` is what makes `commit` ask for confirmation. The store is read in a thread;
if it cannot be read, the warnings say so and nothing is asked (the change is no less
valid for it).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass

from engine.tlsstats import dryrun, report
from engine.tlsstats.store import Reader
from esacli import texts
from esacli.commands.context import Context
from state import cert_rows, hat_shadow
from state.errors import CommitRefused

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Warnings:
    lines: tuple[str, ...] = ()
    would_fail: bool = False

    def text(self) -> str:
        return "\n".join(self.lines)


async def gather(ctx: Context) -> Warnings:
    """The warnings for what a commit would write now (none when it would be refused:
    commit says why)."""
    try:  # a cluster member's preview reads the cluster database: off the event loop
        base, target = await ctx.call(ctx.session.preview)
    except CommitRefused:
        return Warnings()
    span = report.last("week", ctx.clock())
    reader = Reader(ctx.session.store.data_dir)
    try:
        runs = await asyncio.to_thread(dryrun.dry_runs, reader, base, target, span)
    except (sqlite3.Error, OSError) as exc:
        log.warning("dry run: TLS statistics unreadable: %s", exc)
        runs = []
    # a line that says nothing would fail is a note (as tlsreadiness prints it), not a warning
    lines = [(texts.changes.STRICTER_WARNING if run.warns else texts.reports.READY_DRYRUN).format(
        text=run.text(texts.hat.TLS_LABELS[run.level.value])) for run in runs]
    lines += [str(w) for w in hat_shadow.config_warnings(target)]
    lines += [str(w) for w in cert_rows.newly_asking(base, target)]
    return Warnings(tuple(lines), any(run.would_fail for run in runs))


async def say(ctx: Context) -> Warnings:
    found = await gather(ctx)
    if found.lines:
        ctx.console.say(found.text())
    return found
