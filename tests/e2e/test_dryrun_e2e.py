"""The dry run of `commit check` and `commit` over OpenSSH against `esacli run`, on what
that appliance itself recorded:

- the README tour's change (a new policy TLS_Required, a new sender group TLS_Senders for
  127.0.0.2 above BLACKLIST, partner.example at Required - Verify) after 127.0.0.2 sent
  mail in clear: the clients the new group takes are named, the control with no
  deliveries is noted, `commit` asks, and after it those clients do get 530;
- a Preferred - Verify partner whose deliveries verified: Required - Verify is a note (in
  the control's verb), committed without a question; deleting the custom CA its
  certificate chains to is a warning naming the CA and the partner.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from pathlib import Path

from engine.tlsstats.events import INBOUND, OUTBOUND
from engine.tlsstats.store import Reader
from state import authorities, model
from state.store import Store
from tests.kit.appliance import Appliance, prepared
from tests.kit.certs import make_ca, server_context
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.smtp import MUST_STARTTLS
from tests.kit.ssh import ssh_batch
from tests.kit.waiting import wait_until, wait_until_async

PARTNER_IP = "127.0.0.2"
VALID = "The configuration is valid. Nothing was committed."
ANYWAY = "Do you want to commit these changes anyway? [N]>"
TOUR = [
    "listenerconfig edit InboundMail hostaccess new policy TLS_Required accept --tls=required",
    f"listenerconfig edit InboundMail hostaccess new sendergroup TLS_Senders {PARTNER_IP}"
    " TLS_Required",
    "listenerconfig edit InboundMail hostaccess move TLS_Senders BLACKLIST",
    "destconfig new partner.example --use_tls=require_verify",
]
TOUR_WARNING = (
    "Warning: InboundMail sender group TLS_Senders: Required would have refused 3 of 3"
    " connections in the last 7 days: starttls-not-supported ([127.0.0.2]); 3 of them matched"
    " UNKNOWNLIST before")
TOUR_NOTE = "Dry run: partner.example: Required - Verify: no deliveries recorded in the last 7 days"


def recorded(app: Appliance, direction: str, domain: str) -> int:
    rows = Reader(app.data).rows(direction, 0, time.time() + 60, domain)
    return sum(r.connections for r in rows)


def from_partner(app: Appliance) -> tuple[int, bytes]:
    """A message from the partner's address in clear: MAIL FROM's reply."""
    with smtplib.SMTP("127.0.0.1", app.inbound, timeout=10,
                      source_address=(PARTNER_IP, 0)) as client:
        client.ehlo("partner.example")
        reply = client.mail("a@partner.example")
        if reply[0] == 250:
            client.rcpt("user@example.com")
            client.data(b"Subject: clear\r\n\r\nhi\r\n")
        return reply


def test_the_readme_tour_names_the_clients_its_new_group_takes(appliance: Appliance) -> None:
    for _ in range(3):
        assert from_partner(appliance)[0] == 250
    wait_until(lambda: recorded(appliance, INBOUND, f"[{PARTNER_IP}]") == 3,
               what="the three connections in the TLS statistics")
    head = Store(appliance.data).head_number()
    # (the script ends with its changes pending, so the session fails: not this test's)
    checked = ssh_batch(appliance, [], "\n".join([*TOUR, "commit check"]) + "\n")
    assert TOUR_WARNING in checked.stdout and TOUR_NOTE in checked.stdout
    assert "Warning: partner.example" not in checked.stdout and VALID in checked.stdout
    done = ssh_batch(appliance, [], "\n".join([*TOUR, "commit", "yes", "TLS with the partner"]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert TOUR_WARNING in done.stdout and ANYWAY in done.stdout
    assert Store(appliance.data).head_number() == head + 1
    wait_until(lambda: from_partner(appliance) == MUST_STARTTLS, what="530 for the partner")


CA_NAME = "PartnerCA"


def prepare(tmp_path: Path, mx_port: int, ca_pem: str) -> Appliance:
    """partner.example routed to the fake MX at Preferred - Verify, trusting its CA."""

    def partner(config: model.Config) -> model.Config:
        route = model.Route(domain="partner.example",
                            hosts=(model.RouteHost(host="127.0.0.1", port=mx_port),))
        entry = model.DestinationEntry(domain="partner.example", tls=model.TLSMode.PREFERRED_VERIFY)
        [found], _ = authorities.custom_entries((), ca_pem)
        return model.replace(
            config, routes=(route,),
            destinations=model.replace(config.destinations, entries=(entry,)),
            authorities=model.replace(config.authorities,
                                      custom=(model.replace(found, name=CA_NAME),)))

    return prepared(tmp_path, partner)


def send_to_partner(app: Appliance) -> None:
    with smtplib.SMTP("127.0.0.1", app.outbound, timeout=10) as client:
        client.sendmail("a@gateway.example", ["u@partner.example"], b"Subject: v\r\n\r\nhi\r\n")


def verify_then_delete_the_ca(app: Appliance) -> tuple[str, str]:
    """`commit` of Required - Verify (its screen), then `commit check` of the CA's deletion."""
    verify = ssh_batch(app, [], "destconfig edit partner.example --use_tls=require_verify\n"
                       "commit\nverify the partner\n")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    deleted = ssh_batch(app, [], f"certconfig certauthority custom delete {CA_NAME}\n"
                        "commit check\n")
    return verify.stdout, deleted.stdout


async def test_a_fine_control_is_a_note_and_a_removed_ca_a_warning(tmp_path: Path) -> None:
    ca = make_ca()
    async with FakeMX(Behaviour(context=server_context(ca, "partner.example"))) as mx:
        app = prepare(tmp_path, mx.port, ca.cert_pem.bytes().decode())
        await asyncio.to_thread(app.start)
        try:
            await asyncio.to_thread(send_to_partner, app)
            await wait_until_async(lambda: recorded(app, OUTBOUND, "partner.example") == 1,
                                   timeout=20)
            head = Store(app.data).head_number()
            verify, deleted = await asyncio.to_thread(verify_then_delete_the_ca, app)
        finally:
            await asyncio.to_thread(app.stop)
    assert mx.messages[0].tls
    assert ("Dry run: partner.example: Required - Verify would have deferred none of 1"
            " deliveries in the last 7 days") in verify
    assert "Warning:" not in verify and ANYWAY not in verify
    assert Store(app.data).head_number() == head + 1
    assert ("Warning: partner.example: Required - Verify: 1 of 1 deliveries in the last 7 days"
            f" had a certificate that verified; those that chained to {CA_NAME}, which the"
            " change no longer trusts, would be deferred (certificate-not-trusted)") in deleted
    assert VALID in deleted
