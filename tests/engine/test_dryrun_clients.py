"""The dry run over a store the engine's own writer filled (engine/tlsstats/dryrun.py,
placement.py): each recorded client placed in the base and in the candidate HAT, a new or
stricter control with nothing recorded noted, and what removing a certificate authority
may do to the verified deliveries of Required - Verify destinations."""

from __future__ import annotations

from pathlib import Path

from engine.tlsstats import report
from engine.tlsstats.dryrun import Finding, dry_runs
from engine.tlsstats.events import INBOUND, OUTBOUND, Event, Outcome4, inbound_domain
from engine.tlsstats.store import Reader, Writer, path_in
from state.defaults import public_hat
from state.model import (
    HAT,
    Authorities,
    Behavior,
    Config,
    CustomCA,
    DestinationControls,
    DestinationEntry,
    Listener,
    ListenerType,
    Policy,
    PolicyParams,
    SenderGroup,
    TlsFailure,
    TLSMode,
    replace,
)

NOW = 1_800_000_000.0
NO, PREF, REQ = TLSMode.NO, TLSMode.PREFERRED, TLSMode.REQUIRED
PV, RV = TLSMode.PREFERRED_VERIFY, TLSMode.REQUIRED_VERIFY
LABELS = {NO: "No", PREF: "Preferred", REQ: "Required", PV: "Preferred - Verify",
          RV: "Required - Verify"}
TLS_REQUIRED = Policy(name="TLS_Required", behavior=Behavior.ACCEPT,
                      params=PolicyParams(tls=REQ))


def client(ip: str, group: str, level: TLSMode = NO, ptr: str | None = None,
           tls: bool = False) -> Event:
    """One inbound connection as events.inbound records it (no client certificate)."""
    return Event(INBOUND, NOW - 60, 1, inbound_domain("", ptr, ip), ip, ip, level,
                 "sender group policy", level is not NO, Outcome4.TLS if tls else Outcome4.CLEAR,
                 listener="InboundMail", sender_group=group,
                 result_type="starttls-not-supported" if level is REQ and not tls else "",
                 verify_result="" if tls else "starttls-not-supported",
                 version="TLSv1.3" if tls else "", messages_clear=0 if tls else 1,
                 messages_tls=1 if tls else 0)


def delivery(domain: str, level: TLSMode, verified: bool = True) -> Event:
    return Event(OUTBOUND, NOW - 60, 2, domain, f"mx.{domain}", "127.0.0.9", level,
                 "destination control", True, Outcome4.TLS, verify_result="" if verified
                 else "certificate-not-trusted", verified=verified, version="TLSv1.3",
                 messages_tls=1)


def lines(tmp_path: Path, events: list[Event], base: Config,
          candidate: Config) -> list[tuple[bool, bool, str]]:
    """(a warning, commit would ask, the text) of each dry run line."""
    tmp_path.mkdir(exist_ok=True)
    writer = Writer(path_in(tmp_path))
    with writer.transaction() as db:
        writer.write(db, events)
    writer.close()
    found: list[Finding] = dry_runs(Reader(tmp_path), base, candidate,
                                    report.last("week", NOW))
    return [(f.warns, f.would_fail, f.text(LABELS[f.level])) for f in found]


TRUSTED = Authorities()


def gateway(hat: HAT, *entries: DestinationEntry, authorities: Authorities = TRUSTED,
            default: TLSMode = NO) -> Config:
    listener = Listener(name="InboundMail", type=ListenerType.PUBLIC, interface="Management",
                        port=25, hat=hat)
    return Config(hostname="mail.example.com", listeners=(listener,), authorities=authorities,
                  destinations=DestinationControls(
                      default=DestinationEntry(domain="DEFAULT", tls=default), entries=entries))


def with_group(hat: HAT, group: SenderGroup, before: str, *policies: Policy) -> HAT:
    index = next(i for i, g in enumerate(hat.groups) if g.name == before)
    return replace(hat, policies=(*hat.policies, *policies),
                   groups=(*hat.groups[:index], group, *hat.groups[index:]))


def test_the_readme_tour_warns_of_the_clients_its_new_group_takes(tmp_path: Path) -> None:
    """A new TLS_Senders above BLACKLIST takes 127.0.0.2 from UNKNOWNLIST (sbrs[none]); a
    new Required - Verify control with nothing recorded is noted, not passed over."""
    base = gateway(public_hat())
    senders = SenderGroup(name="TLS_Senders", senders=("127.0.0.2",), policy="TLS_Required")
    candidate = gateway(with_group(public_hat(), senders, "BLACKLIST", TLS_REQUIRED),
                        DestinationEntry(domain="partner.example", tls=RV))
    events = [*(client("127.0.0.2", "UNKNOWNLIST") for _ in range(3)),
              client("127.0.0.9", "UNKNOWNLIST")]
    assert lines(tmp_path, events, base, candidate) == [
        (False, False, "partner.example: Required - Verify: no deliveries recorded in the"
                       " last 7 days"),
        (True, True, "InboundMail sender group TLS_Senders: Required would have refused 3 of 3"
                     " connections in the last 7 days: starttls-not-supported ([127.0.0.2]);"
                     " 3 of them matched UNKNOWNLIST before"),
    ]


PARTNERS = SenderGroup(name="PARTNERS", senders=(".alpha.test",), policy="PARTNER_TLS")


def partner_hat(level: TLSMode) -> HAT:
    partner = Policy(name="PARTNER_TLS", behavior=Behavior.ACCEPT,
                     params=PolicyParams(tls=level))
    return with_group(public_hat(), PARTNERS, "BLACKLIST", partner)


def test_a_stricter_group_keeps_the_clients_recorded_in_it(tmp_path: Path) -> None:
    """Clients counted by their PTR name: the group they were recorded in places them."""
    events = [client("127.0.0.2", "PARTNERS", PREF, "mx1.alpha.test", tls=True),
              client("127.0.0.3", "PARTNERS", PREF, "mx2.alpha.test")]
    assert lines(tmp_path, events, gateway(partner_hat(PREF)), gateway(partner_hat(REQ))) == [
        (True, True, "InboundMail sender group PARTNERS: Required would have refused 1 of 2"
                     " connections in the last 7 days: starttls-not-supported (alpha.test)"),
    ]


def test_a_recorded_group_whose_senders_changed_no_longer_places(tmp_path: Path) -> None:
    """PARTNERS now lists .beta.test: whether mx1.alpha.test still matches it is not known."""
    stricter = partner_hat(REQ)
    moved = replace(stricter, groups=tuple(replace(g, senders=(".beta.test",))
                                           if g.name == "PARTNERS" else g for g in stricter.groups))
    events = [client("127.0.0.2", "PARTNERS", PREF, "mx1.alpha.test")]
    assert lines(tmp_path, events, gateway(partner_hat(PREF)), gateway(moved)) == [
        (True, False, "InboundMail sender group PARTNERS: Required: none of the connections in"
                      " the last 7 days is known to match it; it may take 1 of the connections"
                      " recorded, which cannot be judged: the TLS statistics do not record PTR"
                      " names"),
    ]


def test_a_new_row_by_address_cannot_place_clients_counted_by_name(tmp_path: Path) -> None:
    base = gateway(partner_hat(PREF))
    senders = SenderGroup(name="TLS_Senders", senders=("127.0.0.2",), policy="TLS_Required")
    above = gateway(with_group(partner_hat(PREF), senders, "PARTNERS", TLS_REQUIRED))
    below = gateway(with_group(partner_hat(PREF), senders, "BLACKLIST", TLS_REQUIRED))
    events = [client("127.0.0.2", "PARTNERS", PREF, "mx1.alpha.test"),
              client("127.0.0.9", "UNKNOWNLIST")]
    assert lines(tmp_path, events, base, above) == [
        (True, False, "InboundMail sender group TLS_Senders: Required: none of the connections"
                      " in the last 7 days is known to match it; it may take 1 of the connections"
                      " recorded, which cannot be judged: the TLS statistics do not record the"
                      " addresses of clients counted by name"),
    ]
    # below PARTNERS it cannot take them, and no client recorded by address is 127.0.0.2
    assert lines(tmp_path / "x", events, base, below) == [
        (False, False, "InboundMail sender group TLS_Senders: Required: no connections recorded"
                       " in the last 7 days"),
    ]


def test_a_new_row_by_ptr_name_or_dns_list_is_said_to_be_unjudged(tmp_path: Path) -> None:
    rows = SenderGroup(name="LISTED", senders=("dnslist[bl.test]", ".beta.test"),
                       policy="TLS_Required")
    candidate = gateway(with_group(public_hat(), rows, "UNKNOWNLIST", TLS_REQUIRED))
    events = [client("127.0.0.9", "UNKNOWNLIST"), client("127.0.0.8", "UNKNOWNLIST")]
    assert lines(tmp_path, events, gateway(public_hat()), candidate) == [
        (True, False, "InboundMail sender group LISTED: Required: none of the connections in the"
                      " last 7 days is known to match it; it may take 2 of the connections"
                      " recorded, which cannot be judged: the TLS statistics do not record DNS"
                      " list results or PTR names"),
    ]


def test_an_unchanged_row_the_client_went_past_is_no_doubt(tmp_path: Path) -> None:
    """127.0.0.9 was recorded below PARTNERS (a PTR row), so it did not match it: a change
    elsewhere in the HAT leaves no doubt about PARTNERS."""
    elsewhere = SenderGroup(name="ELSEWHERE", senders=("192.0.2.1",), policy="TLS_Required")
    candidate = gateway(with_group(partner_hat(REQ), elsewhere, "BLACKLIST", TLS_REQUIRED))
    assert lines(tmp_path, [client("127.0.0.9", "UNKNOWNLIST")], gateway(partner_hat(REQ)),
                 candidate) == [
        (False, False, "InboundMail sender group ELSEWHERE: Required: no connections recorded"
                       " in the last 7 days"),
    ]


def test_clients_moved_between_equally_strict_groups_are_not_counted(tmp_path: Path) -> None:
    """TLS_Senders takes 127.0.0.2 from LOOPBACK, both Required: nothing changes for it."""
    loopback = SenderGroup(name="LOOPBACK", senders=("127.0.0.0/24",), policy="TLS_Required")
    senders = SenderGroup(name="TLS_Senders", senders=("127.0.0.2",), policy="TLS_Required")
    hat = with_group(public_hat(), loopback, "BLACKLIST", TLS_REQUIRED)
    candidate = gateway(with_group(hat, senders, "LOOPBACK"))
    events = [client("127.0.0.2", "LOOPBACK", REQ, tls=True)]
    assert lines(tmp_path, events, gateway(hat), candidate) == []


def test_controls_with_nothing_recorded_and_the_fine_wording(tmp_path: Path) -> None:
    """D12: a line saying every delivery went through is a note, in the control's verb."""
    base = gateway(public_hat(), DestinationEntry(domain="b.test", tls=PV))
    candidate = gateway(public_hat(), DestinationEntry(domain="b.test", tls=RV,
                                                       tls_failure=TlsFailure.BOUNCE),
                        DestinationEntry(domain=".c.test", tls=REQ), default=PREF)
    assert lines(tmp_path, [delivery("b.test", PV)], base, candidate) == [
        (False, False, "b.test: Required - Verify would have bounced none of 1 deliveries in"
                       " the last 7 days"),
        (False, False, "DEFAULT: Preferred: no deliveries recorded in the last 7 days"),
        (False, False, ".c.test: Required: no deliveries recorded in the last 7 days"),
    ]


CA_A, CA_B = CustomCA(name="Partner CA", pem="A"), CustomCA(name="Other CA", pem="B")


def test_a_removed_certificate_authority_names_the_verify_destinations(tmp_path: Path) -> None:
    """D15: only Required - Verify fails an unverified server; Preferred - Verify delivers,
    and a destination whose deliveries never verified loses nothing."""
    trusted = Authorities(custom=(CA_A, CA_B))
    entries = (DestinationEntry(domain="a.test", tls=RV), DestinationEntry(domain="b.test", tls=PV),
               DestinationEntry(domain="c.test", tls=RV))
    base = gateway(public_hat(), *entries, authorities=trusted)
    events = [delivery("a.test", RV), delivery("a.test", RV, verified=False),
              delivery("b.test", PV), delivery("c.test", RV, verified=False)]
    deleted = replace(base, authorities=replace(trusted, custom=(CA_B,)))
    assert lines(tmp_path, events, base, deleted) == [
        (True, False, "a.test: Required - Verify: 1 of 2 deliveries in the last 7 days had a"
                      " certificate that verified; those that chained to Partner CA, which the"
                      " change no longer trusts, would be deferred (certificate-not-trusted)"),
    ]
    nothing = replace(base, authorities=Authorities(system_enabled=False, custom_enabled=False,
                                                    custom=(CA_A, CA_B)))
    assert lines(tmp_path / "x", events, base, nothing) == [
        (True, True, "a.test: Required - Verify: 1 of 2 deliveries in the last 7 days had a"
                     " certificate that verified; the change leaves no certificate authority"
                     " trusted (Partner CA, Other CA, the system certificate authorities no"
                     " longer): they would be deferred (certificate-not-trusted)"),
    ]
    renamed = replace(base, authorities=replace(trusted, custom=(replace(CA_A, name="A"), CA_B)))
    assert lines(tmp_path / "y", events, base, renamed) == []


def test_an_unchanged_row_no_client_is_newly_above_is_no_doubt(tmp_path: Path) -> None:
    """TLS_Senders (by address, Required) is in the base as it is, nothing above it went:
    a client counted by name, recorded in a certificate row (which says nothing of where it
    was at connect), is no more likely to be taken by it after a change lower down."""
    senders = SenderGroup(name="TLS_Senders", senders=("127.0.0.2",), policy="TLS_Required")
    verified = SenderGroup(name="VERIFIED", senders=("cert:x8.test",), policy="PARTNER_TLS")
    base_hat = with_group(with_group(partner_hat(PREF), senders, "PARTNERS", TLS_REQUIRED),
                          verified, "BLACKLIST")
    elsewhere = SenderGroup(name="ELSEWHERE", senders=("192.0.2.1",), policy="TLS_Required")
    candidate = gateway(with_group(base_hat, elsewhere, "UNKNOWNLIST"))
    events = [client("127.0.0.5", "VERIFIED", PREF, "mx.x8.test", tls=True)]
    said = lines(tmp_path, events, gateway(base_hat), candidate)
    assert not [line for line in said if "TLS_Senders" in line[2]], said
    # the new row by address is the one that may take it
    assert said == [(True, False, "InboundMail sender group ELSEWHERE: Required: none of the"
                                  " connections in the last 7 days is known to match it; it"
                                  " may take 1 of the connections recorded, which cannot be"
                                  " judged: the TLS statistics do not record the addresses of"
                                  " clients counted by name")]
