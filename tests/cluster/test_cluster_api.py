"""The cluster through the API the shell will call, on a real PostgreSQL (no processes)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from engine.inbound.binding import probe
from state import certs, model
from state.cluster import local, members, ops, status
from state.cluster.db import ClusterDB
from state.cluster.errors import (
    AlreadyClustered,
    BadName,
    ClusterExists,
    DuplicateName,
    GroupNotEmpty,
    NoCluster,
    NotDefined,
    RemoveSelf,
    UnknownName,
    Unreachable,
    WrongPassphrase,
)
from state.cluster.levels import Kind, Level
from state.cluster.node import ClusterNode
from state.cluster.session import LevelSession
from state.errors import AccessRefused, CommitRefused
from state.model import DestinationEntry, TLSMode
from state.model_access import Role, UserAccount
from state.users import Act
from tests.cluster.kit import (
    PASSPHRASE,
    Box,
    Database,
    cluster_session,
    create,
    group_session,
    join,
    machine_session,
)
from tests.kit.appliance import on_ports as listeners_on
from tests.kit.ports import held_port, reserve

Boxes = Callable[..., Box]


def partner(config: model.Config, tls: TLSMode, domain: str = "partner.example") -> model.Config:
    entries = tuple(e for e in config.destinations.entries if e.domain != domain)
    entry = DestinationEntry(domain=domain, tls=tls)
    return model.replace(config, destinations=model.replace(config.destinations,
                                                            entries=(*entries, entry)))


def tls_for(box: Box, domain: str = "partner.example") -> TLSMode | None:
    entry = next((e for e in box.store.load().destinations.entries if e.domain == domain), None)
    return entry.tls if entry else None


def pair(boxes: Boxes, database: Database) -> tuple[Box, ClusterNode, Box, ClusterNode]:
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    node_a = create(a, database.url)
    return a, node_a, b, join(b, database.url)


def catch_up(node: ClusterNode, database: Database) -> int | None:
    with ClusterDB(database.url) as db:
        return node.catch_up(db)


def commit_at(session: LevelSession, change: Callable[[model.Config], model.Config],
              comment: str = "change") -> None:
    session.stage(change(session.candidate))
    assert session.commit(comment) is not None


def test_create_and_join_share_the_configuration_and_keep_machine_settings(
        boxes: Boxes, database: Database) -> None:
    a, node_a, b, node_b = pair(boxes, database)
    config_a, config_b = a.store.load(), b.store.load()
    assert config_b.hostname == "b.example.com" and config_a.hostname == "a.example.com"
    assert config_b.interfaces[0].ip == "127.0.0.2"
    assert config_b.certificates == config_a.certificates  # the cluster's Demo certificate
    assert b.secrets.has_key(config_a.certificates[0].key_id)  # ... and its key, unsealed
    assert b.secrets.check_password("a-Admin-pw")  # one user database: the cluster's
    assert not b.secrets.check_password("b-Admin-pw")
    assert b.store.info(b.store.head_number()).source == "cluster"
    assert node_b.membership.group == "Main_Group"
    assert [m.name for m in status.machines(node_a)] == ["a", "b"]


def test_a_cluster_commit_reaches_every_machine_and_a_machine_override_does_not(
        boxes: Boxes, database: Database) -> None:
    a, node_a, b, node_b = pair(boxes, database)
    commit_at(cluster_session(node_a), lambda c: partner(c, TLSMode.REQUIRED_VERIFY))
    assert catch_up(node_b, database) is not None
    assert tls_for(b) is TLSMode.REQUIRED_VERIFY
    on_b = machine_session(node_b)
    assert not on_b.defines("destinations")
    commit_at(on_b, lambda c: partner(c, TLSMode.PREFERRED))  # defines it at Machine b
    catch_up(node_a, database)
    catch_up(node_b, database)
    assert tls_for(b) is TLSMode.PREFERRED
    assert tls_for(a) is TLSMode.REQUIRED_VERIFY
    assert status.check(node_a) == []


def test_concurrent_cluster_commits_merge_by_path_or_are_refused_naming_it(
        boxes: Boxes, database: Database) -> None:
    _, node_a, _, node_b = pair(boxes, database)
    on_a, on_b = cluster_session(node_a), cluster_session(node_b)
    on_a.stage(partner(on_a.candidate, TLSMode.REQUIRED))
    on_b.stage(partner(on_b.candidate, TLSMode.PREFERRED, "other.example"))
    assert on_a.commit("a") is not None
    merged = on_b.commit("b")
    assert merged is not None and "destinations.entries[partner.example].tls" in merged.merged
    both = {e.domain: e.tls for e in cluster_session(node_a).candidate.destinations.entries}
    assert both == {"partner.example": TLSMode.REQUIRED, "other.example": TLSMode.PREFERRED}
    again_a, again_b = cluster_session(node_a), cluster_session(node_b)
    again_a.stage(partner(again_a.candidate, TLSMode.NO))
    again_b.stage(partner(again_b.candidate, TLSMode.REQUIRED_VERIFY))
    assert again_a.commit("a2") is not None
    with pytest.raises(CommitRefused) as refused:
        again_b.commit("b2")
    assert [c.path for c in refused.value.conflicts] == [
        "destinations.entries[partner.example].tls"]
    assert again_b.pending  # the candidate is kept to resolve


def test_a_commit_is_validated_for_every_machine_it_reaches(boxes: Boxes,
                                                            database: Database) -> None:
    _, node_a, _, _ = pair(boxes, database)
    session = cluster_session(node_a)
    listener = model.replace(session.candidate.listeners[0], certificate="Nowhere")
    session.stage(
        model.replace(session.candidate, listeners=(listener, *session.candidate.listeners[1:]))
    )
    with pytest.raises(CommitRefused) as refused:
        session.commit("bad")
    assert [e.path for e in refused.value.errors] == ["listeners[InboundMail].certificate"]
    session.clear()
    session.stage(model.replace(session.candidate, hostname="cluster.example.com"))
    with pytest.raises(CommitRefused) as refused:
        session.commit("misplaced")
    assert [e.path for e in refused.value.errors] == ["hostname"]
    with ClusterDB(database.url) as db:
        assert [v.comment for v in db.history(node_a.membership.cluster_level, 10)] == [
            "Created the cluster Gateways"]


def test_groups_scope_their_level_to_their_machines(boxes: Boxes, database: Database) -> None:
    a, node_a, b, node_b = pair(boxes, database)
    ops.add_group(node_a, "Edge")
    ops.set_group(node_a, "b", "Edge")
    assert [m.label for m in ops.modes(node_a)] == [
        "Cluster Gateways", "Group Edge", "Group Main_Group", "Machine a", "Machine b"]
    assert ops.mode(node_a, Kind.MACHINE, "b") == Level(Kind.MACHINE, node_b.membership.machine_id,
                                                        "b")
    with pytest.raises(UnknownName):
        ops.mode(node_a, Kind.GROUP, "Nope")
    with ClusterDB(database.url) as db:
        node_b.catch_up(db)
    assert node_b.membership.group == "Edge"
    commit_at(group_session(node_b), lambda c: partner(c, TLSMode.REQUIRED))
    with ClusterDB(database.url) as db:
        node_a.catch_up(db)
        node_b.catch_up(db)
    assert (tls_for(a), tls_for(b)) == (None, TLSMode.REQUIRED)
    ops.rename_group(node_a, "Edge", "Perimeter")
    with pytest.raises(GroupNotEmpty, match='"Perimeter" still has machines \\(b\\)'):
        ops.delete_group(node_a, "Perimeter")
    with pytest.raises(DuplicateName):
        ops.add_group(node_a, "Main_Group")
    with pytest.raises(UnknownName):
        ops.set_group(node_a, "b", "Edge")
    ops.set_group(node_a, "b", "Main_Group")
    ops.delete_group(node_a, "Perimeter")
    with ClusterDB(database.url) as db:
        node_b.catch_up(db)
    assert tls_for(b) is None  # back on Main_Group, which does not define it


def test_sections_a_level_does_not_define_can_be_started_empty_or_copied(
        boxes: Boxes, database: Database) -> None:
    _, node_a, _, node_b = pair(boxes, database)
    commit_at(cluster_session(node_a), lambda c: partner(c, TLSMode.REQUIRED))
    on_b = machine_session(node_b)
    assert on_b.defines("hostname") and not on_b.defines("destinations")
    on_b.copy_from("destinations", node_b.membership.cluster_level)
    assert on_b.candidate.destinations.entries[0].tls is TLSMode.REQUIRED
    on_b.start_empty("destinations")
    assert on_b.candidate.destinations.entries == ()
    on_b.undefine("destinations")
    assert not on_b.pending
    with pytest.raises(NotDefined):
        on_b.copy_from("routes", node_b.membership.group_level)
    assert on_b.showchanges() == {"Machine b": {"": {}}}


def test_bad_input_gets_clear_errors_and_makes_nothing(boxes: Boxes, database: Database,
                                                       tmp_path: Path) -> None:
    a, b = boxes("a"), boxes("b")
    closed = f"host=127.0.0.1 port={reserve()} dbname=x user=x password=secret-pw"
    with pytest.raises(Unreachable) as caught:
        create(a, closed)
    assert "127.0.0.1" in str(caught.value) and "secret-pw" not in str(caught.value)
    with pytest.raises(Unreachable):
        create(a, database.url.replace("password=", "password=wrong"))
    with pytest.raises(Unreachable, match="invalid connection string"):
        create(a, "this is = not a conninfo")
    with pytest.raises(NoCluster):
        join(b, database.url)
    assert not local.is_clustered(a.data) and not local.is_clustered(b.data)
    node_a = create(a, database.url)
    with pytest.raises(AlreadyClustered):
        create(a, database.url)
    with pytest.raises(ClusterExists):
        create(b, database.url)
    with pytest.raises(WrongPassphrase):
        ops.join(b.store, b.secrets, database.url, "b", "Main_Group", "not-the-phrase", "admin")
    with pytest.raises(DuplicateName, match='machine named "a"'):
        join(b, database.url, machine="a")
    with pytest.raises(UnknownName):
        join(b, database.url, group="Nope")
    with pytest.raises(BadName):
        join(b, database.url, machine="bad name")
    assert not local.is_clustered(b.data)
    assert [m.name for m in status.machines(node_a)] == ["a"]
    with pytest.raises(RemoveSelf):
        ops.remove_machine(node_a, "a")


def test_no_key_material_is_ever_in_the_database(boxes: Boxes, database: Database) -> None:
    a, node_a, b, _ = pair(boxes, database)
    dump = database.dump()
    assert "esacli.versions" in dump and "Demo" in dump  # the dump has the data
    kid = a.store.load().certificates[0].key_id
    pem = certs.key_pem(a.secrets.load_key(kid)).decode()
    body = "".join(line for line in pem.splitlines() if "-----" not in line)
    der = base64.b64decode(body)
    cluster_key = node_a.local.cluster_key()
    for secret in ("PRIVATE KEY", *[line for line in pem.splitlines() if "-----" not in line],
                   der.hex(), cluster_key.hex(), base64.b64encode(cluster_key).decode(),
                   PASSPHRASE):
        assert secret not in dump
    assert a.secrets.password_hash() in dump  # hashes are shared (never a password)
    assert (b.data / "secrets" / "cluster.key").stat().st_mode & 0o777 == 0o600


def test_an_unconfirmed_cluster_commit_is_rolled_back_once(boxes: Boxes,
                                                           database: Database) -> None:
    import time

    from state.cluster import commit

    _, node_a, b, node_b = pair(boxes, database)
    session = cluster_session(node_a)
    session.stage(partner(session.candidate, TLSMode.REQUIRED))
    session.commit("try", confirm_until=time.time() - 1)
    assert session.confirmation() is not None
    with ClusterDB(database.url) as db_a, ClusterDB(database.url) as db_b:
        # both notice at the same instant: one rolls back, the other finds nothing to do
        with ThreadPoolExecutor(2) as pool:
            both = [pool.submit(commit.expire, db, node) for db, node in
                    ((db_a, node_a), (db_b, node_b))]
            done = [result for future in both for result in future.result()]
        assert [outcome.value for _, outcome in done] == ["rolled back"]
        node_b.catch_up(db_b)
        history = db_a.history(node_a.membership.cluster_level, 10)
    assert [v.source for v in history] == ["rollback", "test", "clusterconfig"]
    assert tls_for(b) is None


def test_the_database_refuses_to_rewrite_history(boxes: Boxes, database: Database) -> None:
    pair(boxes, database)
    with psycopg.connect(database.url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("DELETE FROM esacli.versions")


def test_a_removed_machine_goes_on_standalone(boxes: Boxes, database: Database) -> None:
    from state.cluster.node import Removed

    _, node_a, b, node_b = pair(boxes, database)
    before = b.store.load()
    ops.remove_machine(node_a, "b")
    with pytest.raises(Removed), ClusterDB(database.url) as db:
        node_b.catch_up(db)
    assert b.store.load() == before
    with ClusterDB(database.url) as db:
        assert [m.name for m in members.machines(db)] == ["a"]
    ops.set_machine_name(node_a, "a", "alpha")
    assert node_a.membership.machine == "alpha"
    assert LevelSession(node_a, Level(Kind.MACHINE, node_a.membership.machine_id, "alpha"),
                        "admin", "test").defines("hostname")


def test_a_local_change_behind_the_clusters_back_is_replaced(boxes: Boxes,
                                                             database: Database) -> None:
    from state.session import Session

    _, _, b, node_b = pair(boxes, database)
    cluster_config = b.store.load()
    stray = Session(b.store, b.secrets, "admin", "console")
    stray.stage(partner(stray.candidate, TLSMode.REQUIRED))
    stray.commit("a standalone commit on a member")
    assert tls_for(b) is TLSMode.REQUIRED
    assert catch_up(node_b, database) is not None
    assert b.store.load() == cluster_config


def test_rollback_and_confirmation_work_per_level(boxes: Boxes, database: Database) -> None:
    import time

    _, node_a, b, node_b = pair(boxes, database)
    on_a = cluster_session(node_a)
    commit_at(on_a, lambda c: partner(c, TLSMode.REQUIRED), "required")
    commit_at(on_a, lambda c: partner(c, TLSMode.PREFERRED), "preferred")
    history = on_a.history()
    assert [v.comment for v in history] == ["preferred", "required",
                                            "Created the cluster Gateways"]
    first = history[-1].number
    assert on_a.load(first).destinations.entries == ()
    rolled = on_a.rollback(first, "back to the start")
    assert rolled.info.source == "rollback" and not on_a.pending
    catch_up(node_b, database)
    assert tls_for(b) is None
    with pytest.raises(CommitRefused):  # a version of another level is not this level's
        on_a.load(machine_session(node_b).history()[0].number)

    on_b = cluster_session(node_b, user="operator")
    on_b.stage(partner(on_b.candidate, TLSMode.REQUIRED))
    on_b.commit("try it", confirm_until=time.time() + 600)
    waiting = on_b.confirmation()
    assert waiting is not None and waiting.user == "operator"
    assert on_a.confirm() is None  # only its author confirms it
    mine = machine_session(node_b, user="operator")
    assert mine.confirmation() is None  # waits are per level
    assert on_b.confirm() == waiting and on_b.confirmation() is None


def test_a_members_sessions_enforce_the_users_role(boxes: Boxes, database: Database) -> None:
    """On a cluster member as on a standalone appliance (state.users.RoleGate): the role
    in the configuration the machine runs decides, at the first change and at commit."""
    _a, node_a, _b, node_b = pair(boxes, database)
    ro = UserAccount(name="ro", role=Role.READ_ONLY)
    commit_at(cluster_session(node_a), lambda c: model.replace(c, users=(*c.users, ro)))
    catch_up(node_b, database)
    looking = LevelSession(node_b, node_b.membership.cluster_level, "ro", "test",
                           enforce_role=True)
    assert not looking.may(Act.CHANGE) and looking.may(Act.LOOK)
    with pytest.raises(AccessRefused, match="not in the correct access group"):
        looking.stage(partner(looking.candidate, TLSMode.REQUIRED))
    assert not looking.pending
    admin = LevelSession(node_b, node_b.membership.cluster_level, "admin", "test",
                         enforce_role=True)
    commit_at(admin, lambda c: partner(c, TLSMode.REQUIRED))
    assert LevelSession(node_b, node_b.membership.cluster_level, "ro", "test").may(Act.COMMIT)
    # an Operator's rollback to before these accounts is an accounts change: refused
    op = UserAccount(name="op", role=Role.OPERATOR)
    commit_at(cluster_session(node_a), lambda c: model.replace(c, users=(*c.users, op)))
    catch_up(node_b, database)
    operator = LevelSession(node_b, node_b.membership.cluster_level, "op", "test",
                            enforce_role=True)
    first = operator.history(20)[-1].number
    with pytest.raises(AccessRefused, match="accounts or access settings"):
        operator.rollback(first, "no more read-only account")
    assert [u.name for u in node_b.store.load().users][-2:] == ["ro", "op"]


def test_one_applier_at_a_time(boxes: Boxes, database: Database,
                               monkeypatch: pytest.MonkeyPatch,
                               caplog: pytest.LogCaptureFixture) -> None:
    """A commit applies itself at once, unless another applier (the follower, woken by
    the same commit) holds the data dir's lock: then it leaves the version to that one,
    where both wrote and logged it."""
    import state.cluster.session as session_module

    a, node_a, _b, _node_b = pair(boxes, database)
    monkeypatch.setattr(session_module, "APPLY_WAIT", 0.2)
    other = ClusterNode(a.store, a.secrets)  # the follower's node, in this process
    with other.local.applying():
        commit_at(cluster_session(node_a), lambda c: partner(c, TLSMode.REQUIRED))
        assert tls_for(a) is None  # not applied behind the holder's back
    caplog.clear()
    with caplog.at_level("INFO", logger="esacli.cluster"):
        assert catch_up(other, database) is not None
        catch_up(node_a, database)  # equal now: nothing written or logged again
    assert tls_for(a) is TLSMode.REQUIRED
    assert sum("applied levels" in r.getMessage() for r in caplog.records) == 1
    other.close()


def test_a_join_whose_listeners_cannot_listen_here_is_refused(
        boxes: Boxes, database: Database) -> None:
    """The cluster's listeners, on this machine's interface of their name, would take a
    port another program holds: refused as a commit is, naming it, nothing joined."""
    with held_port() as busy:
        moved = lambda config: listeners_on(config, {"InboundMail": busy})  # noqa: E731
        a, b = boxes("a", "127.0.0.2", moved), boxes("b")  # b's Management: 127.0.0.1
        create(a, database.url)
        with pytest.raises(CommitRefused) as refused:
            ops.join(b.store, b.secrets, database.url, "b", "Main_Group", PASSPHRASE, "admin",
                     probe)
    [error] = refused.value.errors
    assert error.path == "listeners[InboundMail].port"
    assert str(busy) in error.message and "127.0.0.1" in error.message, error.message
    # nothing was written, here or in the cluster: the same join goes through once free
    assert join(b, database.url, machine="b").membership.machine == "b"
