"""Certificates (made with tests/kit/certs.py), TLSA records and signed zones for the DANE
and MTA-STS tests.

`Pki` makes one of each certificate a DANE test needs: a root and an issuing CA, a leaf
they sign for the MX names, an expired leaf, a leaf signed by another CA, a self-signed
(and expired, misnamed) leaf for DANE-EE. `dane_zones` publishes them under dane.test:

    ee.dane.test        MX mx-ee     TLSA 3 1 1 (the self-signed leaf)
    ta.dane.test        MX mx-ta     TLSA 2 1 1 (the issuing CA)
    root.dane.test      MX mx-root   TLSA 2 0 1 (the root: the server must send it)
    mismatch.dane.test  MX mx-mm     TLSA 3 1 1 (some other key)
    pkix.dane.test      MX mx-pkix   TLSA 1 1 1 and 0 1 1 (unusable, RFC 7672 §3.1.3)
    notlsa.dane.test    MX mx-none   (no TLSA: a secure denial)
    lame.dane.test      MX mx-lame   TLSA zone not served (lookup failure)
    badtlsa.dane.test   MX mx-bad    TLSA zone signed with expired signatures (bogus)
    bogus.dane.test     (zone with expired signatures: the MX itself is bogus)
    plain.dane.test     (unsigned zone: insecure, TLSA ignored)
Every host is 127.0.0.1. `extra` adds records (the MTA-STS tests add theirs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.outbound.dane import Tlsa, association
from tests.kit.certs import Issued, days, issue
from tests.kit.dnssec import EXPIRED, LAME, UNSIGNED, Record, Zone

NOW = dt.datetime.now(dt.UTC)
APEX = "dane.test"


def tlsa(usage: int, selector: int, mtype: int, of: Issued) -> Tlsa:
    return Tlsa(usage, selector, mtype, association(of.cert, selector, mtype))


@dataclass
class Pki:
    root: Issued = field(default_factory=lambda: issue("DANE Test Root", ca=True))
    other_root: Issued = field(default_factory=lambda: issue("Other Root", ca=True))

    def __post_init__(self) -> None:
        self.issuing = issue("DANE Test Issuing CA", issuer=self.root, ca=True)
        names = (*tuple(f"mx-{n}.{APEX}" for n in ("ta", "root", "sts")), f"*.sts.{APEX}")
        self.leaf = issue(f"mx-ta.{APEX}", names, issuer=self.issuing)
        self.expired = issue(f"mx-ta.{APEX}", names, issuer=self.issuing, valid=days(-60, -30))
        self.misnamed = issue("elsewhere.example", ("elsewhere.example",), issuer=self.issuing)
        self.foreign = issue(f"mx-ta.{APEX}", names, issuer=self.other_root)
        # DANE-EE: a self-signed, expired certificate for a name nobody asked for.
        self.ee = issue("not-the-mx.example", ("not-the-mx.example",), valid=days(-60, -30))
        self.stranger = issue("stranger.example", ("stranger.example",))


def _mx(label: str, host: str) -> list[Record]:
    return [(label, "MX", f"10 {host}.{APEX}."), (host, "A", "127.0.0.1")]


def dane_zones(pki: Pki, extra: tuple[Record, ...] = ()) -> list[Zone]:
    """The zones above; `extra` records go into the signed dane.test zone."""
    records: list[Record] = list(extra)
    for label, host, rows in (
        ("ee", "mx-ee", [tlsa(3, 1, 1, pki.ee)]),
        ("ta", "mx-ta", [tlsa(2, 1, 1, pki.issuing)]),
        ("root", "mx-root", [tlsa(2, 0, 1, pki.root)]),
        ("mismatch", "mx-mm", [tlsa(3, 1, 1, pki.stranger)]),
        ("pkix", "mx-pkix", [tlsa(1, 1, 1, pki.leaf), tlsa(0, 1, 1, pki.issuing)]),
        ("notlsa", "mx-none", []),
        ("lame", "mx-lame", []),
        ("badtlsa", "mx-bad", []),
    ):
        records += _mx(label, host)
        records += [(f"_25._tcp.{host}", "TLSA", r.text()) for r in rows]
    bad = [("_25", "TLSA", tlsa(3, 1, 1, pki.ee).text())]
    return [
        Zone(APEX, records),
        Zone(f"_tcp.mx-lame.{APEX}", signing=LAME),
        Zone(f"_tcp.mx-bad.{APEX}", bad, signing=EXPIRED),
        Zone(f"bogus.{APEX}", _zone_mx("bogus", pki), signing=EXPIRED),
        Zone(f"plain.{APEX}", _zone_mx("plain", pki), signing=UNSIGNED),
    ]


def _zone_mx(label: str, pki: Pki) -> list[Record]:
    return [
        ("@", "MX", f"10 mx.{label}.{APEX}."), ("mx", "A", "127.0.0.1"),
        ("_25._tcp.mx", "TLSA", tlsa(3, 1, 1, pki.ee).text()),
    ]
