"""Which envelope addresses can go on a MAIL or RCPT command as they are.

One message never holds up another: an address that cannot be sent as it is (a control
character, say, left by an older version) bounces that recipient, or the whole message
for a bad sender, without a word to the remote.
"""

from __future__ import annotations

import dataclasses

from aiosmtplib.email import quote_address

from engine import addrspec
from engine.outbound import reasons
from engine.outbound.jobs import Job, Result
from state.controls import has_control


def unsendable(address: str) -> str | None:
    """Why `address` cannot go on a MAIL or RCPT command as it is, or None if it can.

    aiosmtplib refuses control characters and parses the rest with
    `email.utils.parseaddr`, which would quietly send another address (`a,b@x`
    goes out as `<a>`): anything it would change is refused here instead.
    """
    if addrspec.is_plain(address):  # what the parser below would send unchanged
        return None
    if has_control(address):
        return reasons.ADDRESS_CONTROL
    if not address.isascii():
        return reasons.ADDRESS_NOT_ASCII
    try:
        quoted = quote_address(address)
    except ValueError:
        return reasons.ADDRESS_UNSENDABLE
    return None if quoted == f"<{address}>" else reasons.ADDRESS_UNSENDABLE


def refused_addresses(job: Job) -> dict[int, Result]:
    """Bounces for what cannot be sent: every recipient for a bad sender, else each bad
    recipient."""
    why = unsendable(job.sender)
    if why is not None:
        return dict.fromkeys(job.rids, Result("bounced", reasons.BAD_SENDER(why)))
    results = {}
    for rid, address in zip(job.rids, job.addresses, strict=True):
        why = unsendable(address)
        if why is not None:
            results[rid] = Result("bounced", reasons.BAD_RECIPIENT(why))
    return results


def sendable_part(job: Job, refused: dict[int, Result]) -> Job | None:
    """`job` without the recipients `refused`, or None when none is left."""
    keep = [i for i, rid in enumerate(job.rids) if rid not in refused]
    if not keep:
        return None
    return dataclasses.replace(job, rids=[job.rids[i] for i in keep],
                               addresses=[job.addresses[i] for i in keep])
