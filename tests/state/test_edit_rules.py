"""The configuration rules of state/edit, without any shell: what an edit means."""

from __future__ import annotations

import pytest

from state import validate
from state.defaults import factory_config, new_listener, public_hat
from state.edit import alerts, destinations, dns, hat, listeners, rat, routes
from state.errors import EditRefused, ValueRefused
from state.model import (
    AlertRecipient,
    Alerts,
    Behavior,
    DestinationControls,
    DestinationEntry,
    ListenerType,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    Route,
    RouteHost,
    SenderGroup,
    replace,
)
from state.secrets import Secrets


def group(name: str, *senders: str, policy: str = "ACCEPTED") -> SenderGroup:
    return SenderGroup(name=name, senders=senders, policy=policy)


# -- HAT: the ALL row stays last -------------------------------------------------------


def test_a_new_sender_group_goes_just_above_all() -> None:
    table = public_hat()
    edited = hat.insert_group(table, group("NEW", "192.0.2.1"))
    assert edited.groups[-1].senders == ("ALL",)
    assert edited.groups[-2].name == "NEW"
    assert edited.groups[:-2] == table.groups[:-1]


def test_the_all_row_is_neither_moved_nor_deleted() -> None:
    table = public_hat()
    last = len(table.groups) - 1
    assert not hat.movable(table, last) and hat.movable(table, 0)
    with pytest.raises(EditRefused, match="ALL sender group cannot be changed"):
        hat.remove_group(table, last)
    with pytest.raises(EditRefused):
        hat.move_group(table, last, 0)
    with pytest.raises(EditRefused):
        hat.move_group(table, 0, 0)  # onto itself
    moved = hat.move_group(table, 0, last)  # just above ALL: the lowest place there is
    assert moved.groups[-1] == table.groups[-1] and moved.groups[-2] == table.groups[0]


def test_all_cannot_be_typed_as_a_sender_or_a_name() -> None:
    assert hat.sender_refusal(("10.1.1.1", "ALL")) == 'Invalid IP or IP range: "ALL"'
    assert hat.sender_refusal(("10.1.1.300",)) == 'Invalid IP or IP range: "10.1.1.300"'
    assert hat.sender_refusal(()) == "Please enter a value."
    assert hat.sender_refusal((), required=False) is None
    table = public_hat()
    assert hat.group_name_refusal(table, "all") is not None
    assert hat.group_name_refusal(table, "WHITELIST") == (
        'A sender group named "WHITELIST" already exists.')
    assert hat.group_name_refusal(table, "WHITELIST", current="WHITELIST") is None
    assert hat.policy_name_refusal(table, "ACCEPTED") == 'A policy named "ACCEPTED" already exists.'


# -- HAT: policies ---------------------------------------------------------------------


def test_a_policy_rename_follows_in_every_sender_group() -> None:
    table = public_hat()
    users = [g.name for g in hat.users_of(table, "ACCEPTED")]
    assert users
    accepted = next(p for p in table.policies if p.name == "ACCEPTED")
    renamed = hat.put_policy(table, "ACCEPTED", replace(accepted, name="WELCOME"))
    assert "ACCEPTED" not in [p.name for p in renamed.policies]
    assert [g.name for g in hat.users_of(renamed, "WELCOME")] == users
    assert hat.users_of(renamed, "ACCEPTED") == []


def test_deleting_a_policy_deletes_its_sender_groups_unless_all_uses_it() -> None:
    table = hat.put_policy(public_hat(), "STRICT", Policy(name="STRICT", behavior=Behavior.REJECT))
    table = hat.insert_group(table, group("BAD", "192.0.2.9", policy="STRICT"))
    gone = hat.remove_policy(table, "STRICT")
    assert "STRICT" not in [p.name for p in gone.policies]
    assert hat.find_group(gone, "BAD") is None
    last_policy = table.groups[-1].policy
    assert hat.used_by_all(table, last_policy)
    with pytest.raises(EditRefused, match="is used by ALL and cannot be deleted"):
        hat.remove_policy(table, last_policy)


def test_a_row_naming_a_policy_has_no_behavior_or_parameters_of_its_own() -> None:
    row = SenderGroup(name="X", senders=("10.",), policy="", behavior=Behavior.ACCEPT,
                      params=PolicyParams(max_concurrency=5))
    pointed = hat.point_group(row, "ACCEPTED", PolicyParams(max_concurrency=9))
    assert (pointed.policy, pointed.behavior, pointed.params) == ("ACCEPTED", None, PolicyParams())
    own = hat.point_group(pointed, Behavior.RELAY, PolicyParams(max_concurrency=9))
    assert (own.policy, own.behavior, own.params.max_concurrency) == ("", Behavior.RELAY, 9)


def test_policies_cannot_continue_and_only_some_behaviors_take_parameters() -> None:
    table = public_hat()
    assert hat.parse_choice(table, "continue", group=True) is Behavior.CONTINUE
    with pytest.raises(ValueRefused, match="Invalid selected behavior: continue"):
        hat.parse_choice(table, "continue", group=False)
    assert hat.parse_choice(table, "$ACCEPTED", group=True) == "ACCEPTED"
    with pytest.raises(ValueRefused):
        hat.parse_choice(table, "ACCEPTED", group=False)
    assert [b for b in Behavior if hat.takes_params(b)] == [
        Behavior.ACCEPT, Behavior.RELAY, Behavior.REJECT]


def test_senders_of_a_group_are_kept_once() -> None:
    row = group("G", "10.1.1.1", "10.1.1.2")
    assert hat.new_senders(row, ("10.1.1.2", "10.1.1.3", "10.1.1.3")) == ("10.1.1.3",)
    assert hat.move_sender(row, 1, 0).senders == ("10.1.1.2", "10.1.1.1")
    assert hat.remove_sender(row, 0).senders == ("10.1.1.2",)


def test_reset_gives_the_factory_table_of_the_listener_type() -> None:
    listener = new_listener("In", ListenerType.PUBLIC, "Management", 25, ("example.com",))
    edited = listeners.with_hat(listener, hat.insert_group(listener.hat, group("X", "10.")))
    assert hat.factory_hat(edited) == new_listener(
        "In", ListenerType.PUBLIC, "Management", 25, ()).hat


# -- listeners, RAT ---------------------------------------------------------------------


def test_listener_names_and_renames(tmp_path: object) -> None:
    config = factory_config(Secrets(tmp_path))  # type: ignore[arg-type]
    first = config.listeners[0]
    assert listeners.name_refusal(config, first.name) == (
        f'A listener named "{first.name}" already exists.')
    assert listeners.name_refusal(config, first.name, current=first.name) is None
    assert listeners.name_refusal(config, "bad name") is not None
    renamed = listeners.put_listener(config, first.name, replace(first, name="Renamed"))
    assert renamed.listeners[0].name == "Renamed"
    assert len(renamed.listeners) == len(config.listeners)


def test_the_rat_all_entry_stays_last_and_stays() -> None:
    table = (RatEntry(address="example.com", action=RatAction.ACCEPT),
             RatEntry(address="ALL", action=RatAction.REJECT))
    added = rat.insert_rat(table, RatEntry(address="other.example", action=RatAction.ACCEPT))
    assert [e.address for e in added] == ["example.com", "other.example", "ALL"]
    with pytest.raises(EditRefused, match=r"The ALL entry cannot be removed\."):
        rat.remove_entry(added, 2)
    assert rat.address_refusal(added, "Example.COM") == (
        'The address "Example.COM" is already in the table.')
    assert rat.cleared(RatAction.ACCEPT) == (RatEntry(address="ALL", action=RatAction.ACCEPT),)


# -- destination controls: the limit scope ----------------------------------------------


def test_the_limit_scope_is_reset_when_no_limit_is_left() -> None:
    scoped = DestinationEntry(domain="partner.example", max_concurrency=5, limit_per_mx_ip=True,
                              limit_per_virtual_gateway=True)
    kept = destinations.with_limits(scoped, max_concurrency=7)
    assert kept.limit_per_mx_ip and kept.limit_per_virtual_gateway
    reset = destinations.with_limits(scoped, max_concurrency=None, recipient_limit=None)
    assert not reset.limit_per_mx_ip and not reset.limit_per_virtual_gateway
    assert not destinations.needs_scope(reset) and destinations.needs_scope(kept)


def test_destination_keys_are_normalised_and_unique() -> None:
    dest = destinations.put_entry(DestinationControls(), DestinationEntry(domain="a.example"))
    assert destinations.find(dest, "A.Example.") is not None
    assert destinations.new_domain_refusal(dest, "A.EXAMPLE") == (
        'The domain "a.example" is already in the destination control table.')
    assert destinations.new_domain_refusal(dest, "bad domain") is not None
    assert destinations.remove_entry(dest, "a.example.").entries == ()


# -- routes: the 40,000-route limit -----------------------------------------------------


def test_the_route_limit(tmp_path: object) -> None:
    hosts = (RouteHost(host="mx.example"),)
    full = tuple(Route(domain=f"d{n}.example", hosts=hosts) for n in range(routes.MAX_ROUTES))
    with pytest.raises(EditRefused, match=r"There is a maximum of 40000 routes\."):
        routes.room_for_one(full)
    with pytest.raises(EditRefused):
        routes.put_route(full, Route(domain="one.more", hosts=hosts))
    assert routes.put_route(full, Route(domain="d1.example", hosts=()))[1].hosts == ()
    routes.room_for_one(full[1:])
    config = factory_config(Secrets(tmp_path))  # type: ignore[arg-type]
    over = replace(config, routes=(*full, Route(domain="one.more", hosts=hosts)))
    errors = validate.validate(over, Secrets(tmp_path))  # type: ignore[arg-type]
    assert [(e.path, e.message) for e in errors] == [
        ("routes", "There is a maximum of 40000 routes.")]


def test_route_keys_and_destinations() -> None:
    table = (Route(domain="ALL", hosts=(RouteHost(host="USEDNS"),)),
             Route(domain="a.example", hosts=(RouteHost(host="mx1.example"),
                                              RouteHost(host="mx2.example", priority=5))))
    assert routes.new_key_refusal(table, "all") == "There is already a default route set."
    assert routes.new_key_refusal(table, "A.example") == (
        "The value a.example is already in the routing table.")
    assert routes.new_key_refusal(table, "b.example") is None
    assert routes.without_hosts(table[1], "mx2.example").hosts == (RouteHost(host="mx1.example"),)
    with pytest.raises(ValueRefused, match="does not appear to be in this route"):
        routes.without_hosts(table[1], "mx3.example")
    with pytest.raises(ValueRefused, match="must keep at least one destination"):
        routes.without_hosts(table[1], "mx1.example, mx2.example")


# -- DNS servers, alerts ------------------------------------------------------------------


def test_a_dns_server_lands_at_its_priority() -> None:
    assert dns.place(("a", "b", "c"), "x", 1) == ("a", "x", "b", "c")
    assert dns.place(("a", "b"), "x", 0) == ("x", "a", "b")
    assert dns.place(("a", "b"), "x", 2) == ("a", "b", "x")
    assert dns.without(("a", "b", "c"), 1) == ("a", "c")
    assert dns.server_refusal(("::1",), "::0001") == "The DNS server ::1 is already configured."
    assert dns.server_refusal((), "10.0.0.300") == 'Invalid IP address: "10.0.0.300"'
    assert dns.server_refusal(("::1",), "10.0.0.3") is None


def test_all_absorbs_the_other_alert_classes() -> None:
    options = ("All", "System", "Hardware")
    assert alerts.chosen(options, ["System", "All"]) == ("All",)
    assert alerts.chosen(options, ["Hardware", "System", "Hardware"]) == ("Hardware", "System")
    table = Alerts(recipients=(AlertRecipient(address="a@example.com"),))
    assert alerts.address_refusal(table, "A@example.com") == (
        'The address "A@example.com" already receives alerts.')
    assert alerts.address_refusal(table, "A@example.com", current="a@example.com") is None
    assert alerts.from_address("DEFAULT", "alert@h", "DEFAULT") == ""
    assert alerts.from_address("nope", "alert@h", "DEFAULT") is None
