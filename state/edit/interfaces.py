"""IP interfaces and the host name (interfaceconfig, sethostname): what an answer may be,
and the configuration once it is given. Machine-only settings in a cluster."""

from __future__ import annotations

import ipaddress

from state import messages, model
from state.messages import Message
from state.model import Config, Interface
from state.names import is_hostname, is_name


def hostname_refusal(name: str) -> Message | None:
    if not name:
        return messages.ENTER_A_VALUE()
    if not is_hostname(name):
        return messages.INVALID_HOSTNAME(name=name)
    return None


def set_hostname(config: Config, name: str) -> Config:
    return model.replace(config, hostname=name)


def name_refusal(config: Config, name: str, current: str = "") -> Message | None:
    """Why `name` cannot name an interface (`current`: the one being edited), or None."""
    if not name:
        return messages.ENTER_A_VALUE()
    if not is_name(name):
        return messages.NAME_CHARACTERS()
    if name != current and model.by_name(config.interfaces, name) is not None:
        return messages.INTERFACE_NAME_TAKEN(name=name)
    return None


def ip_refusal(config: Config, ip: str, current: str = "") -> Message | None:
    """Why `ip` cannot be an interface's address (another interface has it), or None."""
    try:
        shown = str(ipaddress.ip_address(ip))
    except ValueError:
        return messages.INVALID_IP(ip=ip)
    if shown != ip:
        return messages.INVALID_IP(ip=ip)
    other = next((i for i in config.interfaces if i.ip == ip and i.name != current), None)
    return None if other is None else messages.INTERFACE_IP_TAKEN(ip=ip, name=other.name)


def put_interface(config: Config, old_name: str, interface: Interface) -> Config:
    """Replace interface `old_name` in place, or append it. Listeners on a renamed
    interface follow it (they name it)."""
    if model.by_name(config.interfaces, old_name) is None:
        return model.replace(config, interfaces=(*config.interfaces, interface))
    interfaces = tuple(interface if i.name == old_name else i for i in config.interfaces)
    listeners = tuple(model.replace(li, interface=interface.name)
                      if li.interface == old_name else li for li in config.listeners)
    return model.replace(config, interfaces=interfaces, listeners=listeners)


def users(config: Config, name: str) -> list[str]:
    """The listeners on interface `name`."""
    return [li.name for li in config.listeners if li.interface == name]


def delete_refusal(config: Config, name: str, clustered: bool) -> Message | None:
    """A standalone appliance cannot run a listener without its interface; on a cluster
    member the listener is shared and runs disabled where the interface is missing."""
    used = users(config, name)
    if used and not clustered:
        return messages.INTERFACE_IN_USE(name=name, listeners=", ".join(used))
    return None


def remove_interface(config: Config, name: str) -> Config:
    return model.replace(config, interfaces=model.drop(config.interfaces, name))
