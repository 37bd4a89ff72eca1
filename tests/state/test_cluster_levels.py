"""The pure rules of cluster levels (state/cluster/levels.py) and the cluster key (crypto.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from state import certs, diff, model, validate
from state.cluster import crypto, levels
from state.cluster.errors import SealError, WrongPassphrase
from state.cluster.levels import Kind
from state.defaults import factory_config
from state.errors import StoreError
from state.model import Config, DestinationEntry, TLSMode
from state.secrets import Secrets


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return factory_config(Secrets(tmp_path))


def with_partner(config: Config, tls: TLSMode) -> Config:
    entry = DestinationEntry(domain="partner.example", tls=tls)
    return model.replace(config, destinations=model.replace(config.destinations,
                                                            entries=(entry,)))


def section(config: Config, name: str) -> object:
    return levels.plain(config)[name]


def test_a_standalone_configuration_split_and_merged_back_is_unchanged(config: Config) -> None:
    shared, own = levels.split(config)
    assert set(own) == {"hostname", "interfaces"}
    assert set(shared) | set(own) == set(levels.SECTIONS)
    assert levels.effective(shared, {}, own) == config


def test_the_lowest_level_defining_a_section_wins_whole(config: Config) -> None:
    cluster, own = levels.split(with_partner(config, TLSMode.REQUIRED))
    group = {"destinations": section(with_partner(config, TLSMode.PREFERRED), "destinations")}
    merged = levels.effective(cluster, group, own)
    assert merged.destinations.entries[0].tls is TLSMode.PREFERRED
    assert merged.listeners == config.listeners  # other sections still from the cluster
    machine = {**own, "destinations": section(config, "destinations")}
    assert levels.effective(cluster, group, machine).destinations.entries == ()


def test_machine_only_sections_come_from_the_machine_alone(config: Config) -> None:
    cluster, _ = levels.split(config)
    stray = {**cluster, "hostname": "cluster.example.com"}
    merged = levels.effective(stray, {}, {"hostname": "b.example.com", "interfaces": []})
    assert merged.hostname == "b.example.com"
    assert merged.interfaces == ()
    assert levels.misplaced(Kind.CLUSTER, stray)[0].path == "hostname"
    assert levels.misplaced(Kind.MACHINE, stray) == []


def test_sections_no_level_defines_take_the_factory_value() -> None:
    merged = levels.effective({}, {}, {"hostname": "a.example.com"})
    assert merged.listeners == ()
    assert merged.destinations == model.DestinationControls()
    assert levels.default_section("routes") == []


def test_views_show_a_level_and_those_above_it(config: Config) -> None:
    cluster, own = levels.split(with_partner(config, TLSMode.REQUIRED))
    group = {"destinations": section(config, "destinations")}
    at_cluster = levels.view(Kind.CLUSTER, cluster, group, own)
    assert at_cluster.destinations.entries[0].tls is TLSMode.REQUIRED
    assert at_cluster.interfaces == config.interfaces  # the login machine's, for dialogs
    assert levels.view(Kind.GROUP, cluster, group, own).destinations.entries == ()


def test_staging_keeps_a_level_to_its_sections_and_defines_what_changed(config: Config) -> None:
    doc = {"routes": []}
    before = levels.view(Kind.GROUP, levels.split(config)[0], doc, {})
    after = with_partner(before, TLSMode.REQUIRED)
    staged = levels.stage(doc, before, after)
    assert set(staged) == {"routes", "destinations"}
    assert levels.stage(doc, before, before) == doc


def test_level_changes_have_the_standalone_paths(config: Config) -> None:
    shared, _ = levels.split(config)
    edited = with_partner(config, TLSMode.REQUIRED)
    mine = levels.split(edited)[0]
    level_paths = [c.path for c in diff.tree_changes(shared, mine)]
    assert level_paths == [c.path for c in diff.changes(config, edited)]
    assert "destinations.entries[partner.example].tls" in level_paths


def test_concurrent_level_edits_merge_by_path_or_name_the_conflict(config: Config) -> None:
    base = levels.split(config)[0]
    theirs = levels.split(with_partner(config, TLSMode.REQUIRED))[0]
    mine = levels.split(model.replace(config, dns=model.DnsSettings(servers=("127.0.0.53",))))[0]
    merged = diff.merge_trees(base, theirs, mine)
    assert not merged.conflicts
    result = levels.effective(merged.tree, {}, levels.split(config)[1])
    assert result.dns.servers == ("127.0.0.53",)
    assert result.destinations.entries[0].tls is TLSMode.REQUIRED
    other = levels.split(with_partner(config, TLSMode.PREFERRED))[0]
    clash = diff.merge_trees(base, theirs, other)
    assert [c.path for c in clash.conflicts] == ["destinations.entries[partner.example].tls"]


def test_documents_round_trip_and_bad_ones_are_refused(config: Config) -> None:
    shared, _ = levels.split(config)
    assert levels.decode(levels.encode(shared)) == shared
    with pytest.raises(StoreError):
        levels.normalise({"nonsense": 1})
    with pytest.raises(StoreError):
        levels.normalise({"dns": {"port": "not a number"}})


def test_listeners_may_name_interfaces_a_machine_lacks_when_clustered(config: Config,
                                                                      tmp_path: Path) -> None:
    lacking = model.replace(config, interfaces=())
    secrets = Secrets(tmp_path)
    assert any(e.path.endswith(".interface") for e in validate.validate(lacking, secrets))
    assert validate.validate(lacking, secrets, interfaces_optional=True) == []


def test_the_cluster_key_opens_only_with_its_passphrase() -> None:
    key = crypto.new_cluster_key()
    salt, wrapped = crypto.wrap(key, "correct horse battery")
    assert crypto.unwrap(salt, wrapped, "correct horse battery") == key
    with pytest.raises(WrongPassphrase):
        crypto.unwrap(salt, wrapped, "wrong horse battery")


def test_sealed_keys_open_only_as_themselves() -> None:
    cluster_key = crypto.new_cluster_key()
    private = certs.generate_key("ecdsa-p256")
    kid, sealed = crypto.seal_key(cluster_key, private)
    assert b"PRIVATE KEY" not in sealed
    assert certs.key_id(crypto.open_key(cluster_key, kid, sealed)) == kid
    other_kid, _ = crypto.seal_key(cluster_key, certs.generate_key("ecdsa-p256"))
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])  # b"\0" was no change 1 time in 256
    for attempt in (lambda: crypto.open_key(cluster_key, other_kid, sealed),
                    lambda: crypto.open_key(crypto.new_cluster_key(), kid, sealed),
                    lambda: crypto.open_key(cluster_key, kid, tampered)):
        with pytest.raises(SealError):
            attempt()
