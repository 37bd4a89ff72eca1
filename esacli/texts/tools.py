"""CLI texts: `version` and the network tools `dig`, `telnet`, `netstat` (§1, §1.4).

The reference gives only `dig -t mx example.com` [C]; the rest follows the tools the
appliance's FreeBSD base prints (dig's sections, netstat's columns), kept short.
"""

from __future__ import annotations

from typing import Final

# -- version -------------------------------------------------------------------------------
VERSION_HEADER: Final = "Current Version\n==============="
VERSION_ROWS: Final = (
    ("Product", "product"),
    ("Version", "version"),
    ("Python", "python"),
    ("OpenSSL", "openssl"),
    ("Configuration version", "config"),
)
VERSION_PRODUCT: Final = "esacli Email Gateway"
VERSION_CONFIG: Final = "{number} (committed {date} by {user})"
VERSION_USAGE: Final = "Usage: version"

# -- dig -----------------------------------------------------------------------------------
DIG_HOST: Final = "Enter the host or IP address to look up."
DIG_TYPE: Final = "Choose the query type:"
DIG_USAGE: Final = "Usage: dig [-t <type>] <host>   types: {types}"
DIG_BAD_TYPE: Final = 'Invalid query type "{type}". Valid types are: {types}.'
DIG_BAD_NAME: Final = 'Invalid hostname "{name}".'
DIG_HEADER: Final = "; <<>> dig <<>> {name} {type}"
DIG_STATUS: Final = ";; ->>HEADER<<- opcode: QUERY, status: {status}"
DIG_FLAGS: Final = (";; flags: {flags}; QUERY: {question}, ANSWER: {answer},"
                    " AUTHORITY: {authority}, ADDITIONAL: {additional}")
DIG_SECTIONS: Final = (
    ("question", ";; QUESTION SECTION:"),
    ("answer", ";; ANSWER SECTION:"),
    ("authority", ";; AUTHORITY SECTION:"),
    ("additional", ";; ADDITIONAL SECTION:"),
)
DIG_SERVER: Final = ";; SERVER: {server}#{port}"
DIG_TIMED_OUT: Final = ";; connection timed out; no servers could be reached"
DIG_NO_SERVERS: Final = ";; no DNS servers are configured (dnsconfig)"

# -- telnet (a short SMTP probe) -----------------------------------------------------------
TELNET_HOST: Final = "Enter the remote hostname or IP address."
TELNET_PORT: Final = "Enter the remote port."
TELNET_USAGE: Final = "Usage: telnet <host> [port]   (an SMTP probe: banner, EHLO, QUIT)"
TELNET_BAD_HOST: Final = 'Invalid hostname "{host}".'
TELNET_TRYING: Final = "Trying {address}..."
TELNET_CONNECTED: Final = "Connected to {host}."
TELNET_REFUSED: Final = "telnet: connect to address {address}: {reason}"
TELNET_UNRESOLVED: Final = "telnet: {host}: Name or service not known"
TELNET_CLOSED: Final = "Connection closed by foreign host."
TELNET_TIMED_OUT: Final = "telnet: no reply within {seconds:g} seconds; connection closed."
TELNET_TOO_LONG: Final = "telnet: the reply is too long; connection closed."

# -- netstat -------------------------------------------------------------------------------
NETSTAT_HEADER: Final = "Active Internet connections (including servers)"
NETSTAT_COLUMNS: Final = ("Proto", "Recv-Q", "Send-Q", "Local Address", "Foreign Address",
                          "(state)")
NETSTAT_NOT_RUNNING: Final = "The appliance is not running."
NETSTAT_NONE: Final = "No connections."
NETSTAT_USAGE: Final = "Usage: netstat"
