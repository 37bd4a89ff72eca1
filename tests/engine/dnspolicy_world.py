"""The world of the delivery tests under DNS-published policies (issue 12), real servers on
loopback: the signed dane.test of dane_kit plus one domain per case below, each with its MX
(`mx.<domain>`) on a loopback address of its own (so one fake MX per case, all on one
port); an HTTPS server with the MTA-STS policies and a TLS report endpoint.

    e2e-ee      127.0.0.41  TLSA 3 1 1 (DANE-EE: a self-signed, expired, misnamed leaf),
                            REQUIRETLS offered, _smtp._tls rua=mailto:tlsrpt@reports.dane.test
    e2e-ta      127.0.0.42  TLSA 2 1 1 on the issuing CA (DANE-TA)
    e2e-mm      127.0.0.43  TLSA 3 1 1 of another key (mismatch), rua=mailto: as e2e-ee
    e2e-plain   127.0.0.44  unsigned zone (insecure, its TLSA ignored), no STARTTLS
    e2e-sts     127.0.0.45  MTA-STS enforce, a good chain, rua=https://web.dane.test/tlsrpt
    e2e-stsbad  127.0.0.46  MTA-STS enforce, a chain from another CA
    e2e-ststest 127.0.0.47  MTA-STS testing, a chain from another CA
    e2e-stsout  127.0.0.48  MTA-STS enforce whose mx patterns do not list it
    e2e-insts   127.0.0.51  unsigned zone with TLSA, MTA-STS enforce: MTA-STS decides
    reports     127.0.0.49  the mailbox of the TLS reports (DANE, and a _smtp._tls of its own)
    badtlsa, lame, notlsa (dane_kit): MX on 127.0.0.1, never to be connected to
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

from engine.outbound.dane import Tlsa
from state.model import (
    Authorities,
    Config,
    CustomCA,
    DaneMode,
    DestinationControls,
    DestinationEntry,
    DnsSettings,
    TlsFailure,
    TLSMode,
)
from tests.engine.dane_kit import APEX, Pki, dane_zones, tlsa
from tests.kit.certs import Issued, chain_context, issue
from tests.kit.dnssec import UNSIGNED, Record, Zone
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.httpsserver import HttpsServer, Reply

pki = Pki()
TRUST = Authorities(system_enabled=False, custom=(CustomCA(name="test", pem=pki.root.pem),))
LEAF = issue(f"mx.e2e-ta.{APEX}",
             tuple(f"mx.e2e-{n}.{APEX}" for n in ("ta", "sts", "stsout", "insts")),
             issuer=pki.issuing)
CHAIN = (LEAF, pki.issuing)
REPORTS = f"reports.{APEX}"
WEB = f"web.{APEX}"  # the TLS report endpoint's host
NOWHERE = "127.0.0.1"  # the MX of the cases that must never connect


@dataclass(frozen=True)
class Mx:
    label: str
    ip: str
    served: tuple[Issued, ...] | None  # the chain presented over STARTTLS; None: no STARTTLS
    tlsa: Tlsa | None = None
    sts: str = ""  # the MTA-STS mode published, "" for none
    requiretls: bool = False
    rua: str = ""
    signed: bool = True

    @property
    def domain(self) -> str:
        return f"{self.label}.{APEX}" if self.label != "reports" else REPORTS

    @property
    def host(self) -> str:
        return f"mx.{self.domain}"


MXS = (
    Mx("e2e-ee", "127.0.0.41", (pki.ee,), tlsa(3, 1, 1, pki.ee), requiretls=True,
       rua=f"mailto:tlsrpt@{REPORTS}"),
    Mx("e2e-ta", "127.0.0.42", CHAIN, tlsa(2, 1, 1, pki.issuing)),
    Mx("e2e-mm", "127.0.0.43", (pki.ee,), tlsa(3, 1, 1, pki.stranger),
       rua=f"mailto:tlsrpt@{REPORTS}"),
    Mx("e2e-plain", "127.0.0.44", None, tlsa(3, 1, 1, pki.ee), signed=False),
    Mx("e2e-sts", "127.0.0.45", CHAIN, sts="enforce", rua="https://{web}/tlsrpt"),
    Mx("e2e-stsbad", "127.0.0.46", (pki.foreign,), sts="enforce"),
    Mx("e2e-ststest", "127.0.0.47", (pki.foreign,), sts="testing"),
    Mx("e2e-stsout", "127.0.0.48", CHAIN, sts="enforce"),
    Mx("e2e-insts", "127.0.0.51", CHAIN, tlsa(2, 1, 1, pki.issuing), sts="enforce",
       signed=False),
    Mx("reports", "127.0.0.49", (pki.ee,), tlsa(3, 1, 1, pki.ee), rua=f"mailto:tlsrpt@{REPORTS}"),
)
BY_LABEL = {mx.label: mx for mx in MXS}


def policy_text(mode: str, mx: str, max_age: int = 86400) -> bytes:
    return f"version: STSv1\nmode: {mode}\nmx: {mx}\nmax_age: {max_age}\n".encode()


def sts_host(mx: Mx) -> str:
    return f"mta-sts.{mx.domain}"


def web_server() -> HttpsServer:
    """The HTTPS server: each MTA-STS domain's policy, and the report endpoint."""
    names = (*(sts_host(mx) for mx in MXS if mx.sts), WEB)
    server = HttpsServer(chain_context(issue(names[0], names, issuer=pki.issuing), pki.issuing))
    for mx in MXS:
        if mx.sts:  # e2e-stsout's policy lists another MX than its own
            listed = mx.host if mx.label != "e2e-stsout" else BY_LABEL["e2e-sts"].host
            server.replies[sts_host(mx)] = Reply(policy_text(mx.sts, listed))
    return server


def zones(web_port: int, sts_id: str = "1") -> list[Zone]:
    """dane_kit's zones, and ours (see the top); the MTA-STS TXT records carry `sts_id`."""
    signed: list[Record] = [("web", "A", "127.0.0.1")]
    unsigned: list[Zone] = []
    for mx in MXS:
        records = _records(mx, web_port, sts_id)
        if mx.signed:  # in dane.test itself: the owners get the domain's label
            signed += [(_in_apex(owner, mx), rtype, data) for owner, rtype, data in records]
        else:
            unsigned.append(Zone(mx.domain, records, signing=UNSIGNED))
    return dane_zones(pki, tuple(signed)) + unsigned


def _records(mx: Mx, web_port: int, sts_id: str) -> list[Record]:
    """`mx`'s records, owners relative to its domain."""
    records: list[Record] = [("@", "MX", f"10 {mx.host}."), ("mx", "A", mx.ip)]
    if mx.tlsa is not None:
        records.append(("_25._tcp.mx", "TLSA", mx.tlsa.text()))
    if mx.sts:
        records += [("_mta-sts", "TXT", f'"v=STSv1; id={sts_id}"'), ("mta-sts", "A", "127.0.0.1")]
    if mx.rua:
        rua = mx.rua.format(web=f"{WEB}:{web_port}")
        records.append(("_smtp._tls", "TXT", f'"v=TLSRPTv1; rua={rua}"'))
    return records


def _in_apex(owner: str, mx: Mx) -> str:
    label = mx.domain.removesuffix(f".{APEX}")
    return label if owner == "@" else f"{owner}.{label}"


def gateway(dns_port: int, *entries: DestinationEntry, **fields: object) -> Config:
    """The gateway: trusts the test root, resolves through the validating resolver, DANE
    opportunistic and MTA-STS honoured by DEFAULT (TLS Preferred)."""
    default = DestinationEntry(domain="DEFAULT", tls=TLSMode.PREFERRED, dane=DaneMode.OPPORTUNISTIC,
                               mta_sts=True, tls_failure=TlsFailure.DEFER, max_concurrency=10,
                               max_msgs_per_connection=10)
    return Config(
        hostname="gateway.test", authorities=TRUST,
        destinations=DestinationControls(default=default, entries=entries),
        dns=DnsSettings(servers=("127.0.0.1",), port=dns_port, timeout=2.0), **fields,  # type: ignore[arg-type]
    )


@dataclass
class Mxs:
    """A fake MX per case (and one at NOWHERE), all on one port."""

    port: int = 0
    by_label: dict[str, FakeMX] = field(default_factory=dict)
    nowhere: FakeMX | None = None

    def __getitem__(self, label: str) -> FakeMX:
        return self.by_label[label]


@asynccontextmanager
async def fake_mxs(labels: tuple[str, ...] = tuple(BY_LABEL)) -> AsyncIterator[Mxs]:
    async with AsyncExitStack() as stack:
        nowhere = await stack.enter_async_context(FakeMX(Behaviour(), host=NOWHERE))
        found = Mxs(nowhere.port, {}, nowhere)
        for label in labels:
            mx = BY_LABEL[label]
            context = chain_context(mx.served[0], *mx.served[1:]) if mx.served else None
            behaviour = Behaviour(starttls=context is not None, context=context,
                                  tls_extensions=("REQUIRETLS",) if mx.requiretls else ())
            found.by_label[label] = await stack.enter_async_context(
                FakeMX(behaviour, host=mx.ip, port=nowhere.port))
        yield found
