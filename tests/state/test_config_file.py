"""The configuration file (state/config_file.py): exact round trips, masked and
encrypted secrets, and a bad file refused with every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state import config_file, model
from state.config_file import MASKED, FileRefused, FileSecrets
from state.defaults import factory_config
from state.model import Config, RouteHost, TLSMode
from state.model_access import Role, UserAccount
from state.secrets import Secrets

PASSPHRASE = "correct horse battery"


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    return Secrets(tmp_path)


def busy(config: Config) -> Config:
    """A configuration that uses the awkward corners: names with dots and brackets,
    None and floats, nested lists, an empty list, unicode."""
    dest = config.destinations
    entry = model.DestinationEntry(domain=".partner.example", tls=TLSMode.REQUIRED_VERIFY)
    return model.replace(
        config, hostname="gw.example.com",
        users=(*config.users, UserAccount("bob", Role.READ_ONLY, "Bøb [ops] = x")),
        routes=(model.Route("a[1].example", (RouteHost("10.0.0.1", 2525, 5),
                                             RouteHost("USEDNS"))),),
        destinations=model.replace(dest, entries=(entry,)),
        dns=model.replace(config.dns, servers=("192.0.2.53",), timeout=2.5),
        alerts=model.Alerts(),
    )


def test_round_trip_is_exact(secrets: Secrets) -> None:
    for config in (factory_config(secrets), busy(factory_config(secrets))):
        text = config_file.dump(config, FileSecrets())
        loaded = config_file.parse(text)
        assert loaded.config == config
        assert config_file.dump(loaded.config, FileSecrets()) == text  # stable text


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30), st.lists(st.text(max_size=20), max_size=3))
def test_any_names_and_texts_round_trip(name: str, texts_: list[str]) -> None:
    config = Config(hostname="h.example.com",
                    routes=(model.Route(name, (RouteHost("x.example", None, 0),)),),
                    alerts=model.Alerts(from_address="\n".join(texts_)))
    assert config_file.parse(config_file.dump(config, FileSecrets())).config == config


def test_file_is_one_setting_per_line_in_model_order(secrets: Secrets) -> None:
    text = config_file.dump(factory_config(secrets), FileSecrets())
    lines = text.splitlines()
    assert lines[1] == "format = 2" and lines[2] == 'hostname = "mail.example.com"'
    assert lines[-1] == f"end = {len(lines) - 2}"  # every setting before it, format included
    assert 'listeners[InboundMail].port = 2525' in lines
    assert 'users[admin].role = "administrator"' in lines


def test_masked_and_encrypted_secrets(secrets: Secrets) -> None:
    config = factory_config(secrets)
    carried = config_file.file_secrets(config, secrets)
    assert list(carried.keys) == [config.certificates[0].key_id]  # no password set yet
    carried = FileSecrets(carried.keys, {"admin": "scrypt$c2FsdA==$ZGlnZXN0"})
    masked = config_file.dump(config, carried)
    assert "PRIVATE KEY" not in masked and "scrypt" not in masked
    loaded = config_file.parse(masked)
    assert set(loaded.keys.values()) == {MASKED} and not loaded.encrypted
    sealed = config_file.dump(config, carried, PASSPHRASE)
    pem = next(iter(carried.keys.values()))
    assert "PRIVATE KEY" not in sealed and "scrypt" not in sealed
    assert not any(line in sealed for line in pem.splitlines()[1:-1])
    assert PASSPHRASE not in sealed
    opened = config_file.unlock(config_file.parse(sealed), PASSPHRASE)
    assert opened == carried
    with pytest.raises(config_file.WrongPassphrase):
        config_file.unlock(config_file.parse(sealed), "not the passphrase")


def test_a_secret_moved_to_another_user_does_not_open(secrets: Secrets) -> None:
    config = model.replace(factory_config(secrets),
                           users=(UserAccount("admin", Role.ADMINISTRATOR),
                                  UserAccount("bob", Role.GUEST)))
    carried = FileSecrets({}, {"admin": "scrypt$YQ==$Yg==", "bob": "scrypt$Yw==$ZA=="})
    sealed = config_file.dump(config, carried, PASSPHRASE)
    admin_line = next(x for x in sealed.splitlines() if x.startswith("secret.password[admin]"))
    bob_line = next(x for x in sealed.splitlines() if x.startswith("secret.password[bob]"))
    swapped = sealed.replace(bob_line, "secret.password[bob]" + admin_line.split("]", 1)[1])
    with pytest.raises(config_file.StateError, match="damaged"):
        config_file.unlock(config_file.parse(swapped), PASSPHRASE)


def test_a_bad_file_is_refused_with_every_problem(secrets: Secrets) -> None:
    text = config_file.dump(factory_config(secrets), FileSecrets())
    text = text.replace("listeners[InboundMail].port = 2525",
                        'listeners[InboundMail].port = "twenty"')
    text = text.replace("dns.port = 53", "dns.port = 53\ndns.port = 54")
    text = text[: text.rindex("end = ")]  # and its end line lost
    text += "this is not a setting\nnosuchsection.x = 1\nalerts.nope = 2\nweb.port = {\n"
    with pytest.raises(FileRefused) as refused:
        config_file.parse(text)
    shown = [str(p) for p in refused.value.problems]
    lines = text.splitlines()
    number = len(lines)
    assert shown == [
        'the file has no end line ("end = <settings>", its last line): it may have been cut off',
        f"line {lines.index('dns.port = 54') + 1}: dns.port is given more than once",
        f"line {number - 3}: expected <setting> = <value>",
        f"line {number}: not a valid value: {{",
        "listeners: Expected `int`, got `str` - at `$.listeners[0].port`",
        "alerts: Object contains unknown field `nope` - at `$.alerts`",
        "nosuchsection: missing, or not a setting of this appliance",
    ]


def test_newer_format_and_missing_header_are_refused() -> None:
    with pytest.raises(FileRefused, match="1 problems"):
        config_file.parse('format = 3\nhostname = "a.example.com"\nend = 2\n')
    with pytest.raises(FileRefused) as refused:  # with other problems, it is named first
        config_file.parse('format = 99\nhostname = "a.example.com"\nnosuch = 1\n')
    assert str(refused.value.problems[0]) == (
        "format 99 is not one this appliance reads (format 1, 2)")
    with pytest.raises(FileRefused):
        config_file.parse('hostname = "a.example.com"\n')
    loaded = config_file.parse('format = 1\nhostname = "a.example.com"\n')  # no end line yet
    assert loaded.config == Config(hostname="a.example.com")  # the rest: defaults
    assert config_file.parse('format = 2\nhostname = "a.example.com"\nend = 2\n').config == (
        loaded.config)


@pytest.mark.parametrize("cut", ["tail", "middle", "end line only", "after the end"])
def test_a_file_cut_off_anywhere_is_refused(secrets: Secrets, cut: str) -> None:
    """A paste that lost its tail would otherwise load with whatever was cut off at its
    defaults: every account but admin, every listener, every certificate gone."""
    config = model.replace(factory_config(secrets), users=(
        UserAccount("admin", Role.ADMINISTRATOR), UserAccount("bob", Role.OPERATOR)))
    lines = config_file.dump(config, FileSecrets()).splitlines()
    users = next(i for i, line in enumerate(lines) if line.startswith("users"))
    damaged = {"tail": lines[:users], "middle": lines[:users] + lines[users + 3:],
               "end line only": lines[:-1], "after the end": [*lines, "dns.port = 54"]}[cut]
    with pytest.raises(FileRefused) as refused:
        config_file.parse("\n".join(damaged) + "\n")
    shown = str(refused.value.problems[0])
    assert {"tail": "no end line", "middle": "lines are missing",
            "end line only": "no end line", "after the end": "a setting after the end line"
            }[cut] in shown, shown
