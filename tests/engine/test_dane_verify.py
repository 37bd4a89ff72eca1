"""DANE (RFC 7672) as pure tables: which TLSA records are usable, what state a TLSA answer
is in, and whether a presented chain satisfies the records (no DNS, no sockets)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.outbound.dane import Tlsa, TlsaState, classify, verify
from engine.outbound.dnssec import Security
from tests.engine.dane_kit import APEX, NOW, Pki, tlsa
from tests.kit.certs import issue

pki = Pki()
MX = f"mx-ta.{APEX}"
NAMES = (MX, "ta.dane.test")


@pytest.mark.parametrize(
    ("usage", "selector", "mtype", "length", "usable"),
    [
        (3, 1, 1, 32, True), (3, 0, 2, 64, True), (3, 1, 0, 91, True), (2, 1, 1, 32, True),
        (2, 0, 0, 300, True),
        (0, 1, 1, 32, False), (1, 1, 1, 32, False),  # PKIX-TA / PKIX-EE: §3.1.3
        (4, 1, 1, 32, False), (3, 2, 1, 32, False), (3, 1, 3, 32, False),  # unknown values
        (3, 1, 1, 31, False), (3, 1, 2, 32, False), (3, 1, 0, 0, False),  # wrong lengths
    ],
)
def test_usable_records(usage: int, selector: int, mtype: int, length: int, usable: bool) -> None:
    assert Tlsa(usage, selector, mtype, b"\x01" * length).usable is usable


EE = tlsa(3, 1, 1, pki.ee)
PKIX = tlsa(1, 1, 1, pki.leaf)


@pytest.mark.parametrize(
    ("security", "records", "state"),
    [
        (Security.SECURE, (EE,), TlsaState.USABLE),
        (Security.SECURE, (PKIX, EE), TlsaState.USABLE),
        (Security.SECURE, (PKIX,), TlsaState.UNUSABLE),
        (Security.SECURE, (), TlsaState.NO_RECORDS),
        (Security.INSECURE, (EE,), TlsaState.INSECURE),
        (Security.INSECURE, (), TlsaState.INSECURE),
        (Security.BOGUS, (), TlsaState.BOGUS),
        (Security.FAILED, (), TlsaState.FAILED),
    ],
)
def test_tlsa_states(security: Security, records: tuple[Tlsa, ...], state: TlsaState) -> None:
    assert classify(MX, security, records).state is state


def chain(*certs: object) -> tuple[bytes, ...]:
    return tuple(c.der for c in certs)  # type: ignore[attr-defined]


wildcard = issue("wild", (f"*.{APEX}",), issuer=pki.issuing)
not_a_ca = issue("not a ca", (MX,), issuer=pki.root)
under_leaf = issue(MX, (MX,), issuer=not_a_ca)

# (case, chain, records, names, ok, result type when refused)
CASES = [
    ("EE SPKI sha256, expired and misnamed", chain(pki.ee), [EE], NAMES, True, ""),
    ("EE full cert sha256", chain(pki.ee), [tlsa(3, 0, 1, pki.ee)], NAMES, True, ""),
    ("EE full cert, exact", chain(pki.ee), [tlsa(3, 0, 0, pki.ee)], NAMES, True, ""),
    ("EE SPKI sha512", chain(pki.ee), [tlsa(3, 1, 2, pki.ee)], NAMES, True, ""),
    ("EE full SPKI", chain(pki.ee), [tlsa(3, 1, 0, pki.ee)], NAMES, True, ""),
    ("EE of another key", chain(pki.ee), [tlsa(3, 1, 1, pki.stranger)], NAMES, False,
     "tlsa-invalid"),
    ("EE matches a chain cert, not the leaf", chain(pki.leaf, pki.issuing),
     [tlsa(3, 1, 1, pki.issuing)], NAMES, False, "tlsa-invalid"),
    ("PKIX-EE is never used", chain(pki.leaf), [tlsa(1, 1, 1, pki.leaf)], NAMES, False,
     "tlsa-invalid"),
    ("PKIX-TA is never used", chain(pki.leaf, pki.issuing), [tlsa(0, 1, 1, pki.issuing)],
     NAMES, False, "tlsa-invalid"),
    ("TA: the issuing CA's key", chain(pki.leaf, pki.issuing), [tlsa(2, 1, 1, pki.issuing)],
     NAMES, True, ""),
    ("TA: the root, sent by the server", chain(pki.leaf, pki.issuing, pki.root),
     [tlsa(2, 0, 1, pki.root)], NAMES, True, ""),
    ("TA: the root, not sent", chain(pki.leaf, pki.issuing), [tlsa(2, 0, 1, pki.root)],
     NAMES, False, "tlsa-invalid"),
    ("TA: the leaf itself is no anchor", chain(pki.leaf), [tlsa(2, 1, 1, pki.leaf)], NAMES,
     False, "tlsa-invalid"),
    ("TA: name matches neither MX nor domain", chain(pki.misnamed, pki.issuing),
     [tlsa(2, 1, 1, pki.issuing)], NAMES, False, "certificate-host-mismatch"),
    ("TA: only the domain is asked for", chain(pki.leaf, pki.issuing),
     [tlsa(2, 1, 1, pki.issuing)], ("ta.dane.test",), False, "certificate-host-mismatch"),
    ("TA: wildcard leaf", chain(wildcard, pki.issuing), [tlsa(2, 1, 1, pki.issuing)], NAMES,
     True, ""),
    ("TA: expired leaf", chain(pki.expired, pki.issuing), [tlsa(2, 1, 1, pki.issuing)], NAMES,
     False, "certificate-expired"),
    ("TA: leaf from another CA, anchor appended", chain(pki.foreign, pki.issuing),
     [tlsa(2, 1, 1, pki.issuing)], NAMES, False, "tlsa-invalid"),
    ("TA: issued by a non-CA", chain(under_leaf, not_a_ca, pki.root),
     [tlsa(2, 0, 1, pki.root)], NAMES, False, "tlsa-invalid"),
    ("EE or TA: either will do", chain(pki.leaf, pki.issuing),
     [tlsa(3, 1, 1, pki.stranger), tlsa(2, 1, 1, pki.issuing)], NAMES, True, ""),
    ("no certificate", (), [EE], NAMES, False, "validation-failure"),
    ("garbage", (b"not DER",), [EE], NAMES, False, "validation-failure"),
]


@pytest.mark.parametrize(("case", "presented", "records", "names", "ok", "rtype"), CASES,
                         ids=[c[0] for c in CASES])
def test_verify(
    case: str, presented: tuple[bytes, ...], records: list[Tlsa], names: tuple[str, ...],
    ok: bool, rtype: str,
) -> None:
    result = verify(presented, tuple(records), names, NOW)
    assert result.ok is ok, result.reason
    assert result.result_type == rtype
    if ok:
        assert result.matched in records
    else:
        assert result.reason


def test_ta_name_is_reported_and_dates_come_from_the_caller() -> None:
    result = verify(chain(pki.leaf, pki.issuing), (tlsa(2, 1, 1, pki.issuing),), NAMES, NOW)
    assert result.matched_name == MX
    later = NOW + dt.timedelta(days=365)
    assert verify(chain(pki.leaf, pki.issuing), (tlsa(2, 1, 1, pki.issuing),), NAMES,
                  later).result_type == "certificate-expired"
