"""What the administrator asks of queued recipients (deleterecipients, bouncerecipients,
redirectrecipients), carried out by the queue manager.

The shell writes one row per recipient into the queue database's `requests` table
(engine/queue/admin.py), in one transaction with the count it reports; the running
engine carries the rows out at its next tick, because only it may finish a message
(its spool file goes once the outcome is durable) or spool a bounce. A recipient whose
domain is being delivered right now waits for the end of that delivery, so a result
coming back cannot overwrite what was asked; that delivery starts none of the messages
asked of (QueueStore.requested), so only one already in the remote's hands may still
go out. A recipient no longer queued (delivered meanwhile) is left as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from engine.maillog import MailLog
from engine.outbound.jobs import Result
from engine.queue.results import Results
from engine.queue.store import BOUNCE, DELETE, DROPPED, QUEUED, REDIRECT, Outcome, QueueStore
from state.model import Config

DELETED = "deleted by administrator"
BOUNCED = "5.3.0 - Bounced by administrator"
LIMIT = 5000  # rows carried out per tick


@dataclass(frozen=True)
class Request:
    id: int
    action: str
    mid: int
    rid: int
    target: str
    domain: str
    status: str


def pending(store: QueueStore, limit: int = LIMIT) -> list[Request]:
    rows = store._read(
        "SELECT q.id, q.action, q.mid, q.rid, q.target, r.domain, r.status FROM requests q"
        " LEFT JOIN recipients r ON r.mid = q.mid AND r.rid = q.rid ORDER BY q.id LIMIT ?",
        (limit,),
    )
    return [Request(i, a, m, r, t, d or "", s or "") for i, a, m, r, t, d, s in rows]


def _forget(store: QueueStore, ids: Iterable[int]) -> None:
    done = [(i,) for i in ids]
    if done:
        store.writer.run(lambda db: db.executemany("DELETE FROM requests WHERE id = ?", done))


def _reroute(store: QueueStore, request: Request, now: float) -> None:
    store.writer.run(lambda db: db.execute(
        "UPDATE recipients SET domain = ?, next_attempt = ? WHERE mid = ? AND rid = ?"
        " AND status = ?", (request.target, now, request.mid, request.rid, QUEUED)))


async def carry_out(store: QueueStore, results: Results, log: MailLog, config: Config,
                    busy: set[str], now: float) -> None:
    """Every request whose recipient's domain is not in delivery; the rest wait."""
    requests = await asyncio.to_thread(pending, store)
    done: list[int] = []
    for request in requests:
        if request.status == QUEUED and request.domain in busy:
            continue
        done.append(request.id)
        if request.status != QUEUED:
            continue
        if request.action == DELETE:
            log.deleted(request.mid, request.rid)
            results.record(request.mid, {request.rid: Outcome(DROPPED, DELETED)})
        elif request.action == BOUNCE:
            await results.bounce(config, request.mid, {request.rid: Result("bounced", BOUNCED)})
        elif request.action == REDIRECT:
            log.redirected(request.mid, request.rid, request.target)
            await asyncio.to_thread(_reroute, store, request, now)
    await asyncio.to_thread(_forget, store, done)
