"""What happens to the cluster database must not stop mail or lock the administrator out:
a level's document made by hand, a server that answers with an error of its own (out of
disk space, a table missing), a commit lock held by a commit that does not end. Each
says why in words, changes nothing, and every member stays usable."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Callable

import psycopg
import pytest

from state import model
from state.cluster import db as cluster_db
from state.cluster import levels, local, schema, status
from state.cluster.db import ClusterDB, first_line
from state.cluster.errors import Busy, Faulted, Offline, Uncertain, WrongCluster
from state.cluster.follower import Follower
from state.cluster.levels import Kind, Level
from state.cluster.node import ClusterNode
from state.errors import StoreError
from tests.cluster.kit import (
    Box,
    Database,
    cluster_session,
    create,
    join,
    new_database,
    shell_screen,
)
from tests.kit.ports import reserve
from tests.kit.waiting import wait_until_async

Boxes = Callable[..., Box]


def max_conn(n: int) -> Callable[[model.Config], model.Config]:
    def change(config: model.Config) -> model.Config:
        inbound = config.listeners[0]
        hat = model.replace(inbound.hat, default=model.replace(inbound.hat.default,
                                                               max_concurrency=n))
        return model.replace(config, listeners=(model.replace(inbound, hat=hat),
                                                *config.listeners[1:]))
    return change


def sql(database: Database, *statements: str) -> None:
    with psycopg.connect(database.url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def following(node: ClusterNode) -> AsyncIterator[tuple[Follower, asyncio.Task[None]]]:
    follower = Follower(node, poll=0.5, max_backoff=0.5)
    task = asyncio.create_task(follower.run())
    try:
        yield follower, task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _unreadable(document: str) -> StoreError:
    try:
        levels.decode(document)
    except StoreError as exc:
        return exc
    raise AssertionError(f"{document!r} reads")


CORRUPT = {"not JSON": "{not json", "a section of the wrong type": '{"dns": 5}'}


@pytest.mark.parametrize("document", CORRUPT.values(), ids=list(CORRUPT))
async def test_a_level_document_made_by_hand_locks_no_one_out(
        boxes: Boxes, database: Database, document: str,
        caplog: pytest.LogCaptureFixture) -> None:
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    node_a = create(a, database.url)
    node_b = join(b, database.url)
    sql(database, "INSERT INTO esacli.versions SELECT max(number) + 1, NULL, 'cluster', 0,"
                  " 'dba', 'psql', 'x', 0, 'by hand', '" + document.replace("'", "''") + "'"
                  " FROM esacli.versions", f"NOTIFY {schema.CHANNEL}")
    applied = b.store.head_number()

    # the follower says why, once, and keeps following; the machine runs what it ran
    async with following(node_b) as (follower, task):
        await wait_until_async(lambda: follower.cycles >= 3, timeout=10)
        assert not task.done()
    assert [r.getMessage() for r in caplog.records].count(
        "cluster Gateways: levels heads not applied: " + str(_unreadable(document))) == 1
    assert b.store.head_number() == applied
    with ClusterDB(database.url) as db, pytest.raises(StoreError):
        node_a.catch_up(db)

    # a login works on every member, and a commit says why it cannot
    screen = await shell_screen(b, [
        "listenerconfig edit InboundMail hostaccess default --max_conn=33",
        "commit", "over a document made by hand", "clustercheck", "exit", "y"])
    assert "a cluster level holds an invalid document" in screen
    assert "application fault" not in screen and "Changes committed" not in screen
    # clustercheck reads only the heads' numbers: it names each machine and why
    for name in "ab":
        assert (f"Machine {name} (group Main_Group): cannot apply: a cluster level holds"
                " an invalid document") in screen
    assert "(Cluster Gateways)>" in (await shell_screen(a, ["exit"]))


async def test_a_commit_waits_a_bounded_time_for_the_commit_lock(
        boxes: Boxes, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit that does not end (its machine stopped or cut off in the middle of it)
    holds the lock until the server notices: another commit is refused, not held."""
    monkeypatch.setattr(cluster_db, "LOCK_TIMEOUT", 1.0)
    a = boxes("a")
    node = create(a, database.url)
    session = cluster_session(node)
    session.stage(max_conn(33)(session.candidate))
    with psycopg.connect(database.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (schema.LOCK,))
        started = time.monotonic()
        try:
            with pytest.raises(Busy, match="held the cluster's commit lock for 1 seconds"):
                await asyncio.wait_for(asyncio.to_thread(session.commit, "while held"), 10)
        finally:
            holder.execute("SELECT pg_advisory_unlock_all()")
        assert time.monotonic() - started < 5
    assert session.pending
    assert a.store.load().listeners[0].hat.default.max_concurrency != 33
    assert session.commit("once it is free") is not None
    assert a.store.load().listeners[0].hat.default.max_concurrency == 33


async def test_an_error_of_the_server_is_said_in_its_words(boxes: Boxes,
                                                           database: Database) -> None:
    """Out of disk space, a table gone: the machine is not 'disconnected', nothing is an
    'application fault', and nothing was written."""
    a = boxes("a")
    node = create(a, database.url)
    sql(database,
        "CREATE FUNCTION esacli.disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " RAISE EXCEPTION 'could not extend file: No space left on device'"
        " USING ERRCODE = 'disk_full'; END $$",
        "CREATE TRIGGER disk_full BEFORE INSERT ON esacli.versions FOR EACH ROW"
        " EXECUTE FUNCTION esacli.disk_full()")
    session = cluster_session(node)
    session.stage(max_conn(33)(session.candidate))
    with pytest.raises(Faulted) as refused:
        session.commit("disk full")
    assert str(refused.value).endswith("refused the request: could not extend file: No space"
                                       " left on device. Nothing was changed.")
    assert session.pending
    sql(database, "DROP TRIGGER disk_full ON esacli.versions",
        "ALTER TABLE esacli.confirmations RENAME TO gone")
    screen = await shell_screen(a, [
        "listenerconfig edit InboundMail hostaccess default --max_conn=34",
        "commit", "a table gone", "exit", "y"])
    assert 'refused the request: relation "esacli.confirmations" does not exist' in screen
    assert "application fault" not in screen and "disconnected" not in screen

    # the follower names the server's reason (not the caret under the query)
    async with following(node):
        await wait_until_async(lambda: status.connection(node).reason
                               == 'relation "esacli.confirmations" does not exist', timeout=10)
    sql(database, "ALTER TABLE esacli.gone RENAME TO confirmations")
    assert session.commit("back") is not None


def test_the_reason_is_the_cause_not_the_hint() -> None:
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(f"host=127.0.0.1 port={reserve()} dbname=x user=u connect_timeout=3")
    assert first_line(refused.value) == "Connection refused"


def _backend(database: Database, waiting: str) -> int | None:
    with psycopg.connect(database.url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = 'esacli'"
                            " AND wait_event_type = %s", (waiting,)).fetchall()
    return int(rows[0][0]) if rows else None


async def test_a_server_that_stops_answering_mid_commit_is_cut_off(
        boxes: Boxes, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend serving a commit stopped (SIGSTOP: the connection stays open and
    silent, as when a server is frozen or cut off without a reset): the commit ends in
    words, nothing written, instead of waiting for as long as the server stays silent."""
    monkeypatch.setattr(cluster_db, "ANSWER_TIMEOUT", 2.0)
    a = boxes("a")
    node = create(a, database.url)
    session = cluster_session(node)
    session.stage(max_conn(33)(session.candidate))
    stopped: int | None = None
    with psycopg.connect(database.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (schema.LOCK,))
        commit = asyncio.ensure_future(asyncio.to_thread(session.commit, "frozen"))
        try:
            await wait_until_async(lambda: _backend(database, "Lock") is not None, timeout=5)
            stopped = _backend(database, "Lock")
            assert stopped is not None
            os.kill(stopped, signal.SIGSTOP)
            holder.execute("SELECT pg_advisory_unlock_all()")
            started = time.monotonic()
            with pytest.raises(Offline, match="disconnected from the cluster"):
                await asyncio.wait_for(asyncio.shield(commit), 10)
            assert time.monotonic() - started < 5
        finally:
            if stopped is not None:
                os.kill(stopped, signal.SIGCONT)
            with contextlib.suppress(Exception):
                await commit
    assert session.pending
    assert session.commit("answered") is not None


async def test_a_commit_lost_while_the_server_commits_is_not_called_refused(
        boxes: Boxes, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lost at COMMIT (here the server takes longer to commit than the answer timeout),
    the commit may have been made: it says so, and the change stays pending."""
    monkeypatch.setattr(cluster_db, "ANSWER_TIMEOUT", 1.0)
    a = boxes("a")
    node = create(a, database.url)
    session = cluster_session(node)
    session.stage(max_conn(33)(session.candidate))
    sql(database,
        "CREATE FUNCTION esacli.slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " PERFORM pg_sleep(2); RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON esacli.versions"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION esacli.slow()")
    with ClusterDB(database.url) as db:
        before = db.head_number(node.membership.cluster_level)
    with pytest.raises(Uncertain, match="the commit may have been made or not"):
        session.commit("slow to commit")
    assert session.pending
    await asyncio.sleep(2.5)  # here the server did commit it
    with ClusterDB(database.url) as db:
        assert db.head_number(node.membership.cluster_level) > before


async def test_a_database_holding_another_cluster_is_not_followed(
        boxes: Boxes, database: Database) -> None:
    """The address now reaches another cluster's database (a restore, a name that moved,
    a typo'd database): no member takes that cluster's machines, users or levels for its
    own, nor leaves its cluster because its machine is not there; each says why."""
    a, b, x = boxes("a"), boxes("b", "127.0.0.2"), boxes("x", "127.0.0.9")
    node_a, node_b = create(a, database.url), join(b, database.url)
    other = new_database(database.server)
    create(x, other.url, cluster="Other").close()  # its machine x has a's id
    empty = new_database(database.server)
    hashes = (a.secrets.password_hash("admin"), b.secrets.password_hash("admin"))
    heads = (a.store.head_number(), b.store.head_number())

    def point(box: Box, url: str) -> None:
        (box.data / "secrets" / "cluster.conninfo").write_text(url)

    point(a, other.url)
    point(b, empty.url)
    with pytest.raises(WrongCluster, match='holds another cluster \\("Other"\\), not the'
                                           ' cluster "Gateways"'):
        node_a.connect()
    async with following(node_a) as (_, task_a), following(node_b) as (_, task_b):
        await wait_until_async(lambda: "Other" in status.connection(node_a).reason
                               and "no cluster" in status.connection(node_b).reason, timeout=10)
        assert not task_a.done() and not task_b.done()
    assert local.is_clustered(b.data)  # b did not conclude it was removed
    assert (node_a.membership.cluster, node_a.membership.machine) == ("Gateways", "a")
    assert (a.secrets.password_hash("admin"), b.secrets.password_hash("admin")) == hashes
    assert (a.store.head_number(), b.store.head_number()) == heads
    screen = await shell_screen(a, [
        "listenerconfig edit InboundMail hostaccess default --max_conn=33",
        "commit", "into another cluster?", "exit", "y"])
    assert 'holds another cluster ("Other")' in screen and "Changes committed" not in screen
    with ClusterDB(other.url) as db:
        assert db.head_number(Level(Kind.CLUSTER, 0, "")) == 1  # nothing written there

    point(a, database.url)  # its own database again: followed as before
    async with following(node_a):
        await wait_until_async(lambda: status.connection(node_a).connected, timeout=10)
    session = cluster_session(node_a)
    session.stage(max_conn(33)(session.candidate))
    assert session.commit("home again") is not None
