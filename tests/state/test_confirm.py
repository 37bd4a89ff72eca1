"""`commit confirmed` and its automatic rollback (ARCHITECTURE.md, the commit model, 4),
with a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from state import confirm, model
from state.confirm import Outcome
from state.defaults import factory_config
from state.errors import CommitRefused, ConfirmationPending
from state.model import Listener, TLSMode
from state.secrets import Secrets
from state.session import Session
from state.store import Store

T0 = 1_700_000_000.0  # the fake clock's "now" when the confirmed commit is made
COMMENT = "Rollback of unconfirmed version {version} (to {previous})"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path)
    store.write(factory_config(Secrets(tmp_path)), None, "system", "factory", "factory")
    yield store
    store.close()


def session(store: Store, user: str = "admin") -> Session:
    return Session(store, Secrets(store.data_dir), user, "ssh")


def edit(s: Session, name: str, **changes: object) -> None:
    listeners = tuple(model.replace(li, **changes) if li.name == name else li
                      for li in s.candidate.listeners)
    s.stage(model.replace(s.candidate, listeners=listeners))


def set_tls(s: Session, name: str, mode: TLSMode) -> None:
    li = model.by_name(s.candidate.listeners, name)
    assert isinstance(li, Listener)
    edit(s, name, hat=model.replace(li.hat, default=model.replace(li.hat.default, tls=mode)))


def inbound(store: Store, number: int | None = None) -> Listener:
    li = model.by_name(store.load(number).listeners, "InboundMail")
    assert li is not None
    return li


def confirmed_commit(store: Store, minutes: float = 10) -> Session:
    """alice requires TLS on InboundMail with `commit confirmed`: version 2 over 1."""
    s = session(store)
    set_tls(s, "InboundMail", TLSMode.REQUIRED)
    result = s.commit("try TLS", confirm_until=confirm.deadline(T0, minutes))
    assert result is not None and result.info.number == 2
    return s


def expire(store: Store, now: float) -> confirm.Expiry | None:
    return confirm.expire(store, Secrets(store.data_dir), now, COMMENT)


def test_the_wait_is_recorded_and_nothing_happens_before_the_deadline(store: Store) -> None:
    confirmed_commit(store)
    pending = store.confirmation()
    assert pending is not None
    assert (pending.version, pending.previous, pending.deadline, pending.user) == (
        2, 1, T0 + 600, "admin")
    assert expire(store, T0 + 599.9) is None
    assert store.head_number() == 2 and store.confirmation() == pending


def test_a_plain_commit_in_time_confirms(store: Store) -> None:
    s = confirmed_commit(store)
    edit(s, "OutboundMail", max_connections=60)
    result = s.commit("more")
    assert result is not None and result.confirmed is not None
    assert result.confirmed.version == 2
    assert store.confirmation() is None
    assert expire(store, T0 + 3600) is None
    assert store.head_number() == 3


def test_confirm_with_nothing_pending(store: Store) -> None:
    s = confirmed_commit(store)
    assert session(store, "bob").confirm() is None  # only the user who took the risk
    confirmed = s.confirm()
    assert confirmed is not None and confirmed.version == 2
    assert s.confirm() is None and store.confirmation() is None
    assert expire(store, T0 + 3600) is None and store.head_number() == 2


def test_the_deadline_passes_and_the_previous_version_comes_back(store: Store) -> None:
    confirmed_commit(store)
    expiry = expire(store, T0 + 600)
    assert expiry is not None and expiry.outcome is Outcome.ROLLED_BACK
    assert expiry.written is not None and expiry.written.number == 3
    info = store.info(3)
    assert (info.parent, info.user, info.source, info.comment) == (
        2, "system", "rollback", "Rollback of unconfirmed version 2 (to 1)")
    assert store.load(3) == store.load(1)
    assert store.confirmation() is None
    assert expire(store, T0 + 6000) is None  # rolled back once only
    assert [v.number for v in store.history()] == [3, 2, 1]  # nothing rewritten


def test_the_timer_survives_a_restart(store: Store) -> None:
    confirmed_commit(store, minutes=1)
    store.close()
    reopened = Store(store.data_dir)
    pending = reopened.confirmation()
    assert pending is not None and pending.deadline == T0 + 60
    assert expire(reopened, T0 + 59) is None
    expiry = expire(reopened, T0 + 3 * 3600)  # booted long after the deadline
    assert expiry is not None and expiry.outcome is Outcome.ROLLED_BACK
    assert inbound(reopened).hat.default.tls is TLSMode.NO


def test_a_second_confirmed_commit_is_refused_while_one_waits(store: Store) -> None:
    confirmed_commit(store)
    for user in ("admin", "bob"):
        s = session(store, user)
        edit(s, "OutboundMail", port=2700)
        with pytest.raises(ConfirmationPending) as refused:
            s.commit("again", confirm_until=T0 + 1200)
        assert (refused.value.version, refused.value.user) == (2, "admin")
        assert s.pending and store.head_number() == 2
    pending = store.confirmation()
    assert pending is not None and pending.deadline == T0 + 600  # not extended


def test_revert_keeps_a_later_disjoint_commit(store: Store) -> None:
    confirmed_commit(store)
    bob = session(store, "bob")  # bob's commit does not confirm alice's
    edit(bob, "OutboundMail", max_connections=77)
    assert bob.commit("bob's work") is not None
    assert store.confirmation() is not None
    expiry = expire(store, T0 + 601)
    assert expiry is not None and expiry.outcome is Outcome.ROLLED_BACK
    assert expiry.head == 3 and store.head_number() == 4
    assert inbound(store).hat.default.tls is TLSMode.NO  # alice's change undone
    outbound = model.by_name(store.load().listeners, "OutboundMail")
    assert outbound is not None and outbound.max_connections == 77  # bob's kept


def test_revert_conflict_keeps_the_head(store: Store) -> None:
    confirmed_commit(store)
    bob = session(store, "bob")
    set_tls(bob, "InboundMail", TLSMode.PREFERRED)  # the same path alice changed
    assert bob.commit("bob prefers") is not None
    expiry = expire(store, T0 + 601)
    assert expiry is not None and expiry.outcome is Outcome.CONFLICT
    assert [c.path for c in expiry.conflicts] == ["listeners[InboundMail].hat.default.tls"]
    assert store.head_number() == 3 and store.confirmation() is None
    assert inbound(store).hat.default.tls is TLSMode.PREFERRED


def test_a_revert_that_does_not_validate_keeps_the_head(store: Store) -> None:
    alice = session(store)
    edit(alice, "InboundMail", port=2600)
    assert alice.commit("move", confirm_until=T0 + 60) is not None
    bob = session(store, "bob")
    edit(bob, "OutboundMail", port=2525)  # the port alice's change freed
    assert bob.commit("take 2525") is not None
    expiry = expire(store, T0 + 61)
    assert expiry is not None and expiry.outcome is Outcome.INVALID
    assert [e.path for e in expiry.errors] == ["listeners[OutboundMail].port"]
    assert store.head_number() == 3 and store.confirmation() is None


def test_a_head_already_back_writes_nothing(store: Store) -> None:
    s = confirmed_commit(store)
    bob = session(store, "bob")
    bob.rollback(1, "back by hand")
    assert store.confirmation() is not None  # bob's rollback confirms nothing of alice's
    expiry = expire(store, T0 + 601)
    assert expiry is not None and expiry.outcome is Outcome.UNCHANGED
    assert store.head_number() == 3 and store.confirmation() is None
    assert s.confirm() is None


def test_a_confirmation_racing_the_rollback_wins_once(store: Store) -> None:
    s = confirmed_commit(store)
    pending = store.confirmation()
    assert pending is not None and s.confirm() == pending
    assert not store.settle(2)  # the rollback arriving second finds nothing to do


def test_commit_check_merges_and_validates_without_writing(store: Store) -> None:
    alice, bob = session(store), session(store, "bob")
    edit(bob, "OutboundMail", max_connections=9)
    assert bob.commit("bob") is not None
    edit(alice, "InboundMail", port=2526)  # OutboundMail's port
    with pytest.raises(CommitRefused) as refused:
        alice.verify()
    assert [e.path for e in refused.value.errors] == ["listeners[OutboundMail].port"]
    edit(alice, "InboundMail", port=2600)
    assert alice.verify() == ["listeners[OutboundMail].max_connections"]
    assert store.head_number() == 2 and alice.pending


def test_rollback_writes_a_new_version_with_the_old_content(store: Store) -> None:
    s = confirmed_commit(store)
    result = s.rollback(1, "Rolled back to version 1")
    assert result.info.number == 3 and result.confirmed is not None  # alice's own: confirms
    info = store.info(3)
    assert (info.parent, info.user, info.source) == (2, "admin", "rollback")
    assert store.load(3) == store.load(1) and not s.pending and s.base == 3


def test_a_rollback_keeps_what_the_operational_commands_hold(store: Store) -> None:
    """suspenddel and suspendlistener act at once, written as versions: a rollback of
    another change neither undoes what they hold now nor brings back what they held
    then, and they do not fill the ten versions rollbackconfig offers."""
    from state import model, operations

    admin = session(store)
    admin.stage(model.replace(admin.candidate, hostname="renamed.example.com"))
    renamed = admin.commit("renamed").info.number
    operations.apply_now(store, "admin", "suspenddel", operations.set_delivery(["a.test"], True))
    for n in range(11):  # a maintenance window: suspend, resume, ..., suspended at the end
        operations.apply_now(store, "admin", "suspendlistener",
                             operations.set_listeners(["InboundMail"], n % 2 == 0))
    held = store.load()
    assert [li.suspended for li in held.listeners if li.name == "InboundMail"] == [True]
    points = session(store).rollback_points(10)
    assert [v.number for v in points] == [renamed, 1]
    session(store).rollback(1, "back to the factory name")
    now = store.load()
    assert now.hostname == store.load(1).hostname != "renamed.example.com"
    assert now.delivery == held.delivery and now.delivery.suspended_domains == ("a.test",)
    assert [li.suspended for li in now.listeners] == [li.suspended for li in held.listeners]
