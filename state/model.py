"""The configuration model: typed, immutable, serialised with msgspec.

A `Config` is one whole configuration version. Every record is a frozen
msgspec Struct and every collection a tuple, so a committed version can be
shared between the engine and any number of shell sessions without copying.
Private keys are never part of it: a certificate names its key by `key_id`
(the SHA-256 of the public key) and the key itself lives in `state.secrets`.

Lists of named records (listeners, policies, sender groups, certificates,
destination entries) are addressed by name in configuration paths, e.g.
``listeners[InboundMail].hat.default.tls`` (see `state.diff`).
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec

# The helpers every edit uses, read as model.replace(...) (their home: state/records.py).
from state.model_access import AccessSettings, UserAccount, factory_users
from state.model_reporting import ReportingSettings, TlsRptSettings, WebConsole
from state.records import Frozen, by_name, drop, put, replace  # noqa: F401


class TLSMode(enum.Enum):
    """Inbound (HAT) and outbound (destconfig) TLS setting."""

    NO = "off"
    PREFERRED = "on"
    REQUIRED = "required"
    PREFERRED_VERIFY = "on_verify"
    REQUIRED_VERIFY = "require_verify"


class DaneMode(enum.Enum):
    """destconfig "DANE Support" (RFC 7672): No, Opportunistic, Mandatory."""

    NO = "off"
    OPPORTUNISTIC = "opportunistic"
    MANDATORY = "mandatory"


class TlsFailure(enum.Enum):
    """When TLS a delivery requires cannot be had: retry later (the appliance's way) or bounce."""

    DEFER = "defer"
    BOUNCE = "bounce"


class Behavior(enum.Enum):
    ACCEPT = "ACCEPT"
    RELAY = "RELAY"
    REJECT = "REJECT"
    TCPREFUSE = "TCPREFUSE"
    CONTINUE = "CONTINUE"


class ListenerType(enum.Enum):
    PUBLIC = "Public"
    PRIVATE = "Private"


class RatAction(enum.Enum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


class Response(Frozen, frozen=True):
    """A custom SMTP reply: code and text (the text may hold $Group, $Hostname, $RemoteIP)."""

    code: int
    text: str


class PolicyParams(Frozen, frozen=True):
    """Mail flow policy parameters. `None` means "use the listener's default".

    `max_rcpts_per_hour` is -1 when rate limiting is off; `banner_hostname` is ""
    when the banner uses the interface's host name.
    """

    max_message_size: int | None = None
    max_concurrency: int | None = None
    max_msgs_per_session: int | None = None
    max_rcpts_per_msg: int | None = None
    tls: TLSMode | None = None
    max_rcpts_per_hour: int | None = None
    rate_limit_response: Response | None = None
    banner_hostname: str | None = None
    accept_response: Response | None = None
    reject_response: Response | None = None


class Policy(Frozen, frozen=True):
    name: str
    behavior: Behavior
    params: PolicyParams = PolicyParams()


class SenderGroup(Frozen, frozen=True):
    """One HAT row. `senders` holds the §4.5 forms; the ALL row holds ("ALL",).

    `policy` names a Policy of the HAT; when it is "" the row carries its own
    `behavior` and `params` (an entry made with a plain behavior, not a named policy).
    """

    name: str
    senders: tuple[str, ...]
    policy: str
    comment: str = ""
    behavior: Behavior | None = None
    params: PolicyParams = PolicyParams()


class HAT(Frozen, frozen=True):
    default: PolicyParams
    policies: tuple[Policy, ...] = ()
    groups: tuple[SenderGroup, ...] = ()


class RatEntry(Frozen, frozen=True):
    address: str
    action: RatAction
    response_code: int | None = None
    response_text: str | None = None
    bypass_receiving_control: bool = False


class Listener(Frozen, frozen=True):
    name: str
    type: ListenerType
    interface: str
    port: int
    hat: HAT
    protocol: str = "SMTP"
    certificate: str | None = None
    max_connections: int = 1000
    tcp_queue: int = 50
    rat: tuple[RatEntry, ...] = ()
    suspended: bool = False  # suspendlistener: an operational version (state/operations.py)


class Interface(Frozen, frozen=True):
    name: str
    ip: str
    hostname: str = ""


class Certificate(Frozen, frozen=True):
    """A certificate profile: the chain in PEM, leaf first, then intermediates.

    `csr` is the signing request made with the profile's key (certconfig NEW).
    """

    name: str
    chain: tuple[str, ...]
    key_id: str
    csr: str | None = None


class CustomCA(Frozen, frozen=True):
    name: str
    pem: str


class Authorities(Frozen, frozen=True):
    """certconfig CERTAUTHORITY: every Verify setting trusts the union of the enabled lists."""

    system_enabled: bool = True
    custom_enabled: bool = True
    custom: tuple[CustomCA, ...] = ()


class DestinationEntry(Frozen, frozen=True):
    """A destconfig row. `tls=None` means "Default" (inherit the DEFAULT row).

    `dane`, `mta_sts` (honour the domain's MTA-STS policy) and `tls_failure` are None for
    "Default" too; left unset in the DEFAULT row itself they mean No, off and defer, so
    versions written before these settings existed keep delivering exactly as they did.
    """

    domain: str
    tls: TLSMode | None = None
    dane: DaneMode | None = None
    mta_sts: bool | None = None
    tls_failure: TlsFailure | None = None
    max_concurrency: int | None = None
    max_msgs_per_connection: int | None = None
    recipient_limit: int | None = None
    recipient_minutes: int | None = None
    limit_per_mx_ip: bool = False
    # Kept for a faithful destconfig dialog and INI round trip; the engine has no
    # virtual gateways, bounce verification or IPv6 sorting, so they change nothing yet.
    # None means "Default" (inherit the DEFAULT row); ip_sort is PREFER_V4 / REQUIRE_V4 /
    # PREFER_V6 / REQUIRE_V6.
    limit_per_virtual_gateway: bool = False
    bounce_verification: bool | None = None
    ip_sort: str | None = None


class DestinationControls(Frozen, frozen=True):
    default: DestinationEntry = DestinationEntry(
        domain="DEFAULT", tls=TLSMode.NO, max_concurrency=500, max_msgs_per_connection=50,
        bounce_verification=False, ip_sort="PREFER_V4",
    )
    entries: tuple[DestinationEntry, ...] = ()
    client_certificate: str | None = None
    tls_failure_alert: bool = False


class RouteHost(Frozen, frozen=True):
    """A smtproutes destination: a host name or IP, "USEDNS", or "/dev/null"."""

    host: str
    port: int | None = None
    priority: int = 0


class Route(Frozen, frozen=True):
    domain: str
    hosts: tuple[RouteHost, ...]


class AlertRecipient(Frozen, frozen=True):
    address: str
    classes: tuple[str, ...] = ("All",)
    severities: tuple[str, ...] = ("All",)


class Alerts(Frozen, frozen=True):
    recipients: tuple[AlertRecipient, ...] = ()
    from_address: str = ""


class DnsSettings(Frozen, frozen=True):
    """The resolver the engine uses. No servers: the system's resolver."""

    servers: tuple[str, ...] = ()
    port: int = 53
    timeout: float = 5.0


class SmtpTimeouts(Frozen, frozen=True):
    """How long an inbound connection may keep the engine waiting, in seconds.

    `greeting`: from the banner (or the end of STARTTLS) until HELO/EHLO.
    `command`: for each next command (RFC 5321 §4.5.3.2.7).
    `data_block`: between two reads of message data (§4.5.3.2.6: per block, so a slow
    but steady sender finishes); nothing limits the time after the final dot.
    `injection`: without progress, that is since the connection opened or the last
    message was accepted, data received in DATA counting (the appliance's "timeout
    for unsuccessful inbound connections"); NOOP, RSET or HELO are no progress.
    Near its connection limit a listener is under pressure (as Postfix's stress mode):
    every wait is cut to `stress`, the progress bound to `stress_injection`, DATA counts
    as progress only at a minimum rate, and a new client displaces the connection
    without progress for longest, once that one has been idle `evict_idle` seconds.
    """

    greeting: float = 30.0
    command: float = 300.0
    data_block: float = 180.0
    injection: float = 300.0
    stress: float = 10.0
    stress_injection: float = 60.0
    evict_idle: float = 1.0


class ListenerSetup(Frozen, frozen=True):
    """listenerconfig SETUP: settings shared by every listener."""

    hat_delayed_rejection: bool = False
    timeouts: SmtpTimeouts = SmtpTimeouts()
    # SMTP worker processes serving every listener; 0: one per core (engine/worker.py)
    smtp_workers: int = 0


class DeliverySettings(Frozen, frozen=True):
    queue_lifetime_hours: int = 72
    initial_retry_seconds: int = 60
    max_retry_seconds: int = 3600
    suspended: bool = False  # suspenddel, every domain (state/operations.py)
    suspended_domains: tuple[str, ...] = ()  # suspenddel, these domains


class LogSettings(Frozen, frozen=True):
    """logconfig: roll over past `max_size` bytes or `rollover_seconds` (0: by size only)."""
    name: str
    max_size: int = 10 * 1024 * 1024
    max_files: int = 10  # rolled-over files kept
    rollover_seconds: int = 0


DEFAULT_LOGS = (LogSettings("mail_logs"), LogSettings("system_logs"))


class TlsVersion(enum.Enum):
    """A TLS protocol version sslconfig can allow (1.0 and 1.1 only for old peers)."""

    TLS1_0 = "TLSv1.0"
    TLS1_1 = "TLSv1.1"
    TLS1_2 = "TLSv1.2"
    TLS1_3 = "TLSv1.3"


# OpenSSL cipher string for TLS <= 1.2: forward secrecy and AEAD only. TLS 1.3
# suites are OpenSSL's own choice (all of them are AEAD with forward secrecy).
DEFAULT_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5"


class SslDirection(Frozen, frozen=True):
    """sslconfig INBOUND or OUTBOUND: the versions allowed and the TLS <= 1.2 ciphers."""

    min_version: TlsVersion = TlsVersion.TLS1_2
    max_version: TlsVersion = TlsVersion.TLS1_3
    ciphers: str = DEFAULT_CIPHERS


class SslSettings(Frozen, frozen=True):
    """sslconfig: inbound applies to every listener, outbound to every delivery and tlsverify."""

    inbound: SslDirection = SslDirection()
    outbound: SslDirection = SslDirection()


class Config(Frozen, frozen=True):
    hostname: str
    interfaces: tuple[Interface, ...] = ()
    listeners: tuple[Listener, ...] = ()
    listener_setup: ListenerSetup = ListenerSetup()
    certificates: tuple[Certificate, ...] = ()
    authorities: Authorities = Authorities()
    destinations: DestinationControls = DestinationControls()
    routes: tuple[Route, ...] = ()
    alerts: Alerts = Alerts()
    dns: DnsSettings = DnsSettings()
    delivery: DeliverySettings = DeliverySettings()
    ssl: SslSettings = SslSettings()
    tlsrpt: TlsRptSettings = TlsRptSettings()
    reporting: ReportingSettings = ReportingSettings()
    web: WebConsole = WebConsole()
    logs: tuple[LogSettings, ...] = DEFAULT_LOGS
    # userconfig, sshconfig, adminaccessconfig (state/model_access.py); versions written
    # before they existed read as the factory's one Administrator, admin.
    users: tuple[UserAccount, ...] = factory_users()
    access: AccessSettings = AccessSettings()


def encode(config: Config) -> bytes:
    return msgspec.json.encode(config)


def decode(data: bytes) -> Config:
    return msgspec.json.decode(data, type=Config)


def to_tree(config: Config) -> dict[str, Any]:
    """Plain Python data (dicts, lists, str, int, None) for diffing and display."""
    tree: dict[str, Any] = msgspec.to_builtins(config)
    return tree


def from_tree(tree: dict[str, Any]) -> Config:
    return msgspec.convert(tree, type=Config)
