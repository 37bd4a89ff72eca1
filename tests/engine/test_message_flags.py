"""The pure pieces of issue 12's engine integration, as tables: the MAIL FROM REQUIRETLS
parameter, the TLS-Required header, the flags' durable form (spool envelope, queue
database, a database from before them), certificate sender forms and the HAT decided
again after STARTTLS, and the words of each delivery's mail_logs line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine import policy, replies
from engine.inbound import identity, mailparams
from engine.messageflags import PLAIN_MESSAGE, Flags, tls_required_no
from engine.outbound import precedence
from engine.outbound.dane import TlsaState
from engine.queue.store import NewMessage, QueueStore
from engine.spool import Spool
from state.model import (
    HAT,
    Behavior,
    DaneMode,
    PolicyParams,
    SenderGroup,
    TlsFailure,
    TLSMode,
)


@pytest.mark.parametrize(("arg", "kept", "asked", "valued"), [
    ("FROM:<a@b.test>", "FROM:<a@b.test>", False, False),
    ("FROM:<a@b.test> REQUIRETLS", "FROM:<a@b.test>", True, False),
    ("FROM:<a@b.test> SIZE=10 requiretls BODY=8BITMIME", "FROM:<a@b.test> SIZE=10 BODY=8BITMIME",
     True, False),
    ("FROM: <a@b.test> REQUIRETLS=yes", "FROM: <a@b.test>", True, True),
    ('FROM:<"x> REQUIRETLS"@b.test>', 'FROM:<"x> REQUIRETLS"@b.test>', False, False),
    ('FROM:<"x\\" REQUIRETLS"@b.test> REQUIRETLS', 'FROM:<"x\\" REQUIRETLS"@b.test>', True, False),
    ("FROM:<> REQUIRETLS", "FROM:<>", True, False),
    ("FROM:a@b.test REQUIRETLS", "FROM:a@b.test", True, False),
    ("FROM:<a@b.test REQUIRETLS", "FROM:<a@b.test REQUIRETLS", False, False),  # aiosmtpd: 501
    ("garbage", "garbage", False, False),
])
def test_requiretls_is_taken_off_mail_from(arg: str, kept: str, asked: bool, valued: bool) -> None:
    assert mailparams.take_requiretls(arg) == mailparams.MailParams(kept, asked, valued)


def test_requiretls_only_over_tls_and_without_a_value() -> None:
    assert mailparams.refusal("FROM:<a@b> REQUIRETLS", False) == replies.REQUIRETLS_NEEDS_TLS
    assert mailparams.refusal("FROM:<a@b> REQUIRETLS", True) is None
    assert mailparams.refusal("FROM:<a@b> REQUIRETLS=1", True) == replies.REQUIRETLS_SYNTAX
    assert mailparams.refusal("FROM:<a@b>", False) is None


@pytest.mark.parametrize(("content", "relaxed"), [
    (b"TLS-Required: No\r\n\r\nbody", True),
    (b"Subject: x\r\ntls-required:   NO  \r\n\r\n", True),
    (b"TLS-Required:\r\n No\r\n\r\n", True),  # folded
    (b"TLS-Required: No\r\nTLS-Required: Yes\r\n\r\n", False),  # every field must say No
    (b"TLS-Required: Yes\r\n\r\n", False),
    (b"X-TLS-Required: No\r\n\r\n", False),
    (b"Subject: x\r\n\r\nTLS-Required: No\r\n", False),  # in the body
    (b"Subject: x\n\nTLS-Required: No\n", False),
    (b"", False),
])
def test_the_tls_required_header(content: bytes, relaxed: bool) -> None:
    assert tls_required_no(content) is relaxed


def test_flags_round_trip_and_ignore_words_they_do_not_know() -> None:
    every = Flags(requiretls=True, tls_required_no=True, tls_report=True)
    assert Flags.decode(every.encode()) == every
    assert PLAIN_MESSAGE.encode() == "" and Flags.decode("") == PLAIN_MESSAGE
    assert Flags.decode("requiretls from-the-future") == Flags(requiretls=True)


async def test_the_spool_keeps_the_envelope_flags_and_reads_the_header(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    await spool.store(1, 1, "In", "a@b", ["c@d"], b"S: 1\r\n\r\nx\r\n", 0.0, Flags(requiretls=True))
    await spool.store(2, 1, "In", "a@b", ["c@d"], b"TLS-Required: No\r\n\r\nx\r\n", 0.0)
    await spool.store(3, 1, "In", "a@b", ["c@d"], b"S: 3\r\n\r\nx\r\n", 0.0)
    found, _ = spool.incoming()
    assert [m.flags for m in found] == [Flags(requiretls=True), Flags(tls_required_no=True),
                                        PLAIN_MESSAGE]
    assert b'"flags"' not in (tmp_path / "spool" / "incoming" / "3.msg").read_bytes()


def test_a_queue_database_from_before_the_flags_gets_them(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    with sqlite3.connect(path) as db:  # the schema as it was
        db.execute("CREATE TABLE messages (mid INTEGER PRIMARY KEY, sender TEXT NOT NULL,"
                   " arrived REAL NOT NULL, size INTEGER NOT NULL, path TEXT NOT NULL,"
                   " done INTEGER NOT NULL DEFAULT 0)")
        db.execute("INSERT INTO messages VALUES (1, 'a@b', 0, 1, '/x', 0)")
    store = QueueStore(path)
    try:
        store.add_messages([NewMessage(2, "a@b", 0, 1, "/y", ("c@d",), "requiretls")], 0)
        old, new = store.envelope(1), store.envelope(2)
        assert old is not None and new is not None
        assert (old.flags, new.flags) == ("", "requiretls")
        assert [r.flags for r in store.due(1.0)] == ["requiretls"]
    finally:
        store.close()


# -- certificate identity ------------------------------------------------------------
PARTNER = SenderGroup(name="PARTNER", senders=("cert:Partner.Example.",), policy="",
                      behavior=Behavior.RELAY)
SUBS = SenderGroup(name="SUBS", senders=("cert:.partner.example",), policy="",
                   behavior=Behavior.REJECT)
NET = SenderGroup(name="NET", senders=("10.1.1.0/24",), policy="", behavior=Behavior.ACCEPT)
ALL = SenderGroup(name="ALL", senders=("ALL",), policy="", behavior=Behavior.ACCEPT)
PREFERRED = PolicyParams(tls=TLSMode.PREFERRED)


def _hat(*groups: SenderGroup) -> HAT:
    return HAT(default=PREFERRED, groups=groups)


@pytest.mark.parametrize(("names", "group"), [
    ((), "ALL"),
    (("partner.example",), "PARTNER"),
    (("other.example", "partner.example"), "PARTNER"),
    (("mx.partner.example",), "SUBS"),
    (("xpartner.example",), "ALL"),
    (("partner.example.evil",), "ALL"),
])
def test_certificate_forms_match_the_verified_names(names: tuple[str, ...], group: str) -> None:
    facts = policy.ClientFacts(ip="192.0.2.1", cert_names=names)
    assert policy.evaluate_hat(_hat(PARTNER, SUBS, ALL), facts).group == group


def test_only_clients_below_a_certificate_row_are_asked_for_a_certificate() -> None:
    the_hat = _hat(NET, PARTNER, ALL)
    inside = policy.evaluate_hat(the_hat, policy.ClientFacts(ip="10.1.1.5"))
    outside = policy.evaluate_hat(the_hat, policy.ClientFacts(ip="192.0.2.1"))
    assert policy.connection_tls(the_hat, inside).request_client_cert is False  # NET decides
    assert policy.connection_tls(the_hat, outside).request_client_cert is True
    assert policy.connection_tls(_hat(NET, ALL), outside).request_client_cert is False


def test_the_hat_decides_again_with_the_certificate() -> None:
    the_hat = _hat(PARTNER, SUBS, ALL)
    before = policy.evaluate_hat(the_hat, policy.ClientFacts(ip="192.0.2.1"))
    with_names = policy.ClientFacts(ip="192.0.2.1", cert_names=("partner.example",))
    found = identity.rematch(the_hat, with_names, before, delayed_rejection=False)
    assert found is not None and found.match.group == "PARTNER" and not found.refuse
    rejected = policy.ClientFacts(ip="192.0.2.1", cert_names=("mx.partner.example",))
    found = identity.rematch(the_hat, rejected, before, delayed_rejection=False)
    assert found is not None and found.refuse
    found = identity.rematch(the_hat, rejected, before, delayed_rejection=True)
    assert found is not None and found.delayed_reject and not found.refuse
    assert identity.rematch(the_hat, policy.ClientFacts(ip="192.0.2.1"), before, False) is None
    assert identity.rematch(_hat(ALL), with_names, before, False) is None


# -- what each delivery's mail_logs line says ------------------------------------------
def _req(level: TLSMode, **facts: object) -> precedence.Requirement:
    return precedence.effective(precedence.Facts(
        domain="d.test", mx_host="mx.d.test", level=level, **facts))  # type: ignore[arg-type]


@pytest.mark.parametrize(("req", "words"), [
    (_req(TLSMode.NO), "no TLS"),
    (_req(TLSMode.PREFERRED), "TLS preferred"),
    (_req(TLSMode.PREFERRED_VERIFY), "TLS preferred, certificate checked for the log"),
    (_req(TLSMode.REQUIRED_VERIFY), "TLS required, certificate verified for d.test, mx.d.test"),
    (_req(TLSMode.PREFERRED, dane=DaneMode.OPPORTUNISTIC, tlsa=TlsaState.USABLE),
     "TLS required, chain matched against the TLSA records of mx.d.test"),
    (_req(TLSMode.PREFERRED, dane=DaneMode.OPPORTUNISTIC, tlsa=TlsaState.USABLE,
          tls_required_no=True), "TLS preferred, DANE and MTA-STS set aside (TLS-Required: No)"),
    (_req(TLSMode.PREFERRED, tls_report=True), "TLS preferred, DANE and MTA-STS set aside"
                                                " (a TLS report)"),
    (_req(TLSMode.PREFERRED, dane=DaneMode.MANDATORY, failure=TlsFailure.BOUNCE),
     "no delivery: DANE is mandatory but mx.d.test has no DNSSEC-validated TLSA records"),
])
def test_each_requirement_in_words(req: precedence.Requirement, words: str) -> None:
    assert precedence.describe(req) == words
