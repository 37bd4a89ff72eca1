"""A member whose cluster database goes away, and the follower that brings it back."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable

import pytest

from state import model
from state.cluster import status
from state.cluster.db import ClusterDB
from state.cluster.errors import Offline
from state.cluster.follower import Follower
from state.cluster.node import ClusterNode
from state.errors import CommitRefused
from state.model import DestinationEntry, TLSMode
from tests.cluster.kit import Box, cluster_session, create, join, machine_session, new_database
from tests.kit.pg import PostgresServer
from tests.kit.waiting import wait_until_async

Boxes = Callable[..., Box]


def partner(config: model.Config, tls: TLSMode) -> model.Config:
    entry = DestinationEntry(domain="partner.example", tls=tls)
    return model.replace(config, destinations=model.replace(config.destinations,
                                                            entries=(entry,)))


def tls_of(box: Box) -> TLSMode | None:
    entries = box.store.load().destinations.entries
    return entries[0].tls if entries else None


@contextlib.asynccontextmanager
async def following(node: ClusterNode, answer_timeout: float = 10.0) -> AsyncIterator[Follower]:
    follower = Follower(node, poll=1.0, max_backoff=0.5, answer_timeout=answer_timeout)
    task = asyncio.create_task(follower.run())
    try:
        yield follower
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_offline_machine_keeps_its_settings_and_pushes_them_on_reconnect(
        boxes: Boxes, own_pg: PostgresServer) -> None:
    database = new_database(own_pg)
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    node_a = create(a, database.url)
    node_b = join(b, database.url)
    async with following(node_a), following(node_b):
        session = cluster_session(node_a)
        session.stage(partner(session.candidate, TLSMode.REQUIRED))
        session.commit("partner")
        # both have applied it before the database goes: a session opened offline starts
        # from what its machine applied
        await wait_until_async(lambda: tls_of(a) is tls_of(b) is TLSMode.REQUIRED, timeout=5)

        await asyncio.to_thread(own_pg.stop)
        await wait_until_async(lambda: not node_b.local.link().connected, timeout=10)
        shared = cluster_session(node_a)
        shared.stage(partner(shared.candidate, TLSMode.NO))
        why = r"disconnected from the cluster \(Unable to connect .*\): changes at Cluster"
        with pytest.raises(Offline, match=why):
            shared.commit("refused")
        own = machine_session(node_b)
        own.stage(model.replace(own.candidate, hostname="b2.example.com"))
        assert own.verify() == []  # commit check works offline too
        with pytest.raises(Offline, match="commit confirmed needs the cluster database"):
            own.commit("confirmed", confirm_until=1.0)
        result = own.commit("new name, offline")
        assert result is not None and result.offline
        assert b.store.load().hostname == "b2.example.com"
        assert status.connection(node_b).offline_commit
        mixed = machine_session(node_b)
        mixed.stage(partner(mixed.candidate, TLSMode.PREFERRED))
        with pytest.raises(Offline, match="these cannot: destinations"):
            mixed.commit("shared settings offline")
        bad = machine_session(node_b)
        bad.stage(model.replace(bad.candidate, hostname="not a host name"))
        with pytest.raises(CommitRefused):
            bad.commit("invalid")

        await asyncio.to_thread(own_pg.start)
        await wait_until_async(lambda: node_b.local.link().connected
                         and node_b.local.outbox() is None, timeout=15)
        with ClusterDB(database.url) as db:
            head = db.head(node_b.membership.machine_level)
        assert head.document["hostname"] == "b2.example.com" and head.source == "offline"
        assert shared.commit("after the restart") is not None
        await wait_until_async(lambda: tls_of(b) is TLSMode.NO and tls_of(a) is TLSMode.NO,
                         timeout=5)
        assert b.store.load().hostname == "b2.example.com"
        await wait_until_async(lambda: status.check(node_a) == [], timeout=5)


async def test_disconnect_and_reconnect_by_the_administrator(boxes: Boxes,
                                                             database: object) -> None:
    url = database.url  # type: ignore[attr-defined]
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    node_a = create(a, url)
    node_b = join(b, url)
    async with following(node_a), following(node_b) as follower:
        await wait_until_async(lambda: follower.cycles > 0, timeout=5)
        status.disconnect(node_b)
        await wait_until_async(lambda: not status.connection(node_b).connected, timeout=5)
        assert status.connection(node_b).reason.startswith("disconnected by an administrator")
        session = cluster_session(node_a)
        session.stage(partner(session.candidate, TLSMode.REQUIRED))
        session.commit("while b is disconnected")
        with pytest.raises(Offline):
            _commit_partner(node_b)
        await wait_until_async(lambda: tls_of(a) is TLSMode.REQUIRED, timeout=5)
        assert tls_of(b) is None
        # B's follower lets its connection go within a second of DISCONNECT
        await wait_until_async(lambda: [(i.machine, i.reason) for i in status.check(node_a)]
                               == [("b", "disconnected")], timeout=5)
        status.reconnect(node_b)
        follower.wake()
        await wait_until_async(lambda: tls_of(b) is TLSMode.REQUIRED, timeout=5)
        await wait_until_async(lambda: status.check(node_a) == [], timeout=5)


async def test_a_database_that_stops_answering_is_reported(boxes: Boxes,
                                                           own_pg: PostgresServer) -> None:
    """Stopped (SIGSTOP), the server keeps its connections open and silent: no error ever
    comes, so the follower's cycle that does not end is what says it."""
    database = new_database(own_pg)
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    create(a, database.url)
    node_b = join(b, database.url)
    async with following(node_b, answer_timeout=1.0) as follower:
        await wait_until_async(lambda: follower.cycles > 0 and node_b.local.link().connected,
                               timeout=5)
        own_pg.signal_all(signal.SIGSTOP)
        try:
            await wait_until_async(lambda: not status.connection(node_b).connected, timeout=10)
            assert status.connection(node_b).reason == (
                "the cluster database has not answered for 1 seconds")
        finally:
            own_pg.signal_all(signal.SIGCONT)
        await wait_until_async(lambda: status.connection(node_b).connected, timeout=15)


def _commit_partner(node: ClusterNode) -> None:
    session = cluster_session(node)
    session.stage(partner(session.candidate, TLSMode.PREFERRED))
    session.commit("refused")
