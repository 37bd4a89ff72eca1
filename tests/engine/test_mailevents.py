"""findevent's grouping (engine/mailevents.py): a message's lines are its MID's and those
of the connections that carried it, never another message's."""

from __future__ import annotations

import re

from engine import mailevents

RDNS = "reverse dns host unknown verified no"
LOG = """\
Tue Dec  1 10:00:00 2026 Info: New SMTP ICID 5 interface Main (10.0.0.1) address 10.0.0.9 {rdns}
Tue Dec  1 10:00:00 2026 Info: ICID 5 ACCEPT SG None match  SBRS None
Tue Dec  1 10:00:01 2026 Info: Start MID 6 ICID 5
Tue Dec  1 10:00:01 2026 Info: MID 6 ICID 5 From: <alice@partner.example>
Tue Dec  1 10:00:01 2026 Info: MID 6 ICID 5 RID 0 To: <bob@example.com>
Tue Dec  1 10:00:01 2026 Info: MID 6 Subject 'Quarterly report'
Tue Dec  1 10:00:01 2026 Info: MID 6 ready 100 bytes from <alice@partner.example>
Tue Dec  1 10:00:02 2026 Info: Start MID 7 ICID 5
Tue Dec  1 10:00:02 2026 Info: MID 7 ICID 5 From: <carol@partner.example>
Tue Dec  1 10:00:02 2026 Info: MID 7 ICID 5 RID 0 To: <dave@example.com>
Tue Dec  1 10:00:02 2026 Info: MID 7 Subject 'lunch'
Tue Dec  1 10:00:02 2026 Info: ICID 5 close
Tue Dec  1 10:00:03 2026 Info: New SMTP DCID 8 interface 10.0.0.1 address 10.0.0.20 port 25
Tue Dec  1 10:00:03 2026 Info: Delivery start DCID 8 MID 6 to RID [0]
Tue Dec  1 10:00:03 2026 Info: Message done DCID 8 MID 6 to RID [0]
Tue Dec  1 10:00:03 2026 Info: DCID 8 close
Tue Dec  1 10:00:04 2026 Info: New SMTP ICID 9 interface Main (10.0.0.1) address 10.0.0.10 {rdns}
Tue Dec  1 10:00:04 2026 Info: ICID 9 close
""".replace("{rdns}", RDNS).splitlines()


def test_a_message_is_its_mid_and_its_connections_lines() -> None:
    seen = mailevents.connections(LOG)
    found = mailevents.events(LOG, [6], seen)[6]
    text = "\n".join(found)
    assert "MID 7" not in text and "ICID 9" not in text
    assert found[0].endswith("New SMTP ICID 5 interface Main (10.0.0.1) address 10.0.0.9 " + RDNS)
    assert found[-1].endswith("DCID 8 close")
    assert len(found) == 12
    both = mailevents.events(LOG, [6, 7], seen)
    assert both[7][0] == LOG[0] and both[7][-1].endswith("ICID 5 close")


def test_searches_by_sender_recipient_subject() -> None:
    assert mailevents.matching(LOG, "from", re.compile("ALICE", re.I)) == [6]
    assert mailevents.matching(LOG, "to", re.compile("example.com")) == [6, 7]
    assert mailevents.matching(LOG, "subject", re.compile("^lunch$")) == [7]
    assert mailevents.matching(LOG, "from", re.compile("nobody")) == []


AT = "Tue Dec  1 11:00:00 2026 Info:"
FAILED = [
    f"{AT} New SMTP DCID 21 interface 10.0.0.1 address 10.0.0.30 port 25",
    f"{AT} DCID 21 TLS policy by destination control partner.example: TLS required",
    f"{AT} DCID 21 STARTTLS command not supported.",
    f"{AT} DCID 21 IP 10.0.0.30 TLS was required but could not be successfully negotiated",
    f"{AT} Delayed: DCID 21 MID 6 to RID 0 - 4.7.5 - TLS required",
    f"{AT} DCID 21 close",
    f"{AT} Delayed: DCID 0 MID 7 to RID 0 - 4.4.3 - DNS temporary failure",
    f"{AT} DCID 22 connection to 10.0.0.31 port 25 failed: Connection refused",
    f"{AT} Delayed: DCID 22 MID 6 to RID 0 - 4.4.1 - Connection failed",
]


def test_an_attempt_that_failed_before_delivery_start_brings_its_connection() -> None:
    """The DCID lines that say why a delivery was delayed belong to its message; DCID 0
    (no connection) ties nothing."""
    lines = LOG + FAILED
    found = mailevents.events(lines, [6, 7], mailevents.connections(lines))
    assert found[6][-8:] == FAILED[:6] + FAILED[7:]
    assert found[7][-1] == FAILED[6] and "DCID 2" not in "\n".join(found[7])
