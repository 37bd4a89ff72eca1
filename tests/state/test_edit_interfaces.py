"""state/edit/interfaces.py: what sethostname and interfaceconfig accept, and the
configuration once they are answered (no shell)."""

from __future__ import annotations

from pathlib import Path

from state import messages
from state.defaults import factory_config
from state.edit import interfaces
from state.model import Interface
from state.secrets import Secrets


def test_answers_are_refused_with_the_appliance_message(tmp_path: Path) -> None:
    config = factory_config(Secrets(tmp_path))
    assert interfaces.hostname_refusal("") == messages.ENTER_A_VALUE()
    assert interfaces.hostname_refusal("nodots") == messages.INVALID_HOSTNAME(name="nodots")
    assert interfaces.hostname_refusal("gw.example.com") is None
    assert interfaces.name_refusal(config, "Management") == messages.INTERFACE_NAME_TAKEN(
        name="Management")
    assert interfaces.name_refusal(config, "Management", "Management") is None
    assert interfaces.name_refusal(config, "bad name") == messages.NAME_CHARACTERS()
    assert interfaces.ip_refusal(config, "127.0.0.1") == messages.INTERFACE_IP_TAKEN(
        ip="127.0.0.1", name="Management")
    assert interfaces.ip_refusal(config, "127.0.0.1", "Management") is None
    for bad in ("10.0.0.300", "010.0.0.1", "", "::ffff:zz"):
        assert interfaces.ip_refusal(config, bad) == messages.INVALID_IP(ip=bad)
    assert interfaces.ip_refusal(config, "2001:db8::1") is None


def test_renaming_follows_listeners_and_deleting_a_used_one_is_for_members_only(
        tmp_path: Path) -> None:
    config = factory_config(Secrets(tmp_path))
    renamed = interfaces.put_interface(config, "Management",
                                       Interface(name="Public", ip="127.0.0.5"))
    assert [i.name for i in renamed.interfaces] == ["Public"]
    assert {li.interface for li in renamed.listeners} == {"Public"}
    used = interfaces.delete_refusal(renamed, "Public", clustered=False)
    assert used == messages.INTERFACE_IN_USE(name="Public",
                                             listeners="InboundMail, OutboundMail")
    assert interfaces.delete_refusal(renamed, "Public", clustered=True) is None
    assert interfaces.remove_interface(renamed, "Public").interfaces == ()
    added = interfaces.put_interface(config, "Spare", Interface(name="Spare", ip="127.0.0.6"))
    assert [i.name for i in added.interfaces] == ["Management", "Spare"]
    assert interfaces.set_hostname(config, "gw.example.com").hostname == "gw.example.com"
