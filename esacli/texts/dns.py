"""CLI texts: dnsconfig: the resolver the engine uses."""

from __future__ import annotations

from typing import Final

# -- dnsconfig -----------------------------------------------------------------------------
# Not in the reference: the wording is reconstructed from AsyncOS's `dnsconfig` as best
# known. The appliance's "Internet root DNS servers" are the system's resolver here, and
# the priority of a server is its place in the query order (0 is asked first).
DNS_LOCAL: Final = "Currently using the local DNS cache servers:"
DNS_SERVER: Final = "Priority: {priority} {ip}"
DNS_SYSTEM: Final = "Currently using the system resolver."
DNS_MENU: Final = {
    "NEW": "Add a new server.",
    "EDIT": "Edit a server.",
    "DELETE": "Remove a server.",
    "USE": "Use the system resolver.",
    "SETUP": "Configure general settings.",
}
DNS_NEW_IP: Final = "Please enter the IP address of your DNS server."
DNS_EDIT_IP: Final = "Please enter the new IP address of the DNS server."
DNS_PRIORITY: Final = (
    "Please enter the priority for {ip}.\n"
    "A value of 0 is the highest priority."
)
DNS_EDIT_WHICH: Final = "Please enter the number of the server you wish to edit."
DNS_DELETE_WHICH: Final = "Please enter the number of the server you wish to remove."
DNS_USE_CONFIRM: Final = (
    "Are you sure you want to remove all DNS servers and use the system resolver?"
)
DNS_PORT: Final = "Please enter the port to send DNS queries to."
DNS_TIMEOUT: Final = "Enter the number of seconds to wait for a DNS query."
