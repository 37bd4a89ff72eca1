"""One deadline for the whole MTA-STS policy fetch (engine/outbound/mtasts.py `fetch_policy`,
which delivery, the background refresh and mtastsconfig all fetch through): a policy host
that answers 200 with a Content-Length and then sends the body a byte at a time, each
byte well within httpx's timeout of one read, is given up at the fetch's timeout. It
held a REFRESH for 189 s before."""

from __future__ import annotations

import time

from engine.outbound.mtasts import FETCH, FetchOptions, fetch_policy, https_context
from tests.engine.dnspolicy_world import TRUST, pki, policy_text
from tests.kit.certs import chain_context, issue
from tests.kit.httpsserver import HttpsServer, Reply

HOST = "mta-sts.drip.test"
TIMEOUT = 1.0
DRIP = 0.05  # between two bytes: far within one read's timeout
# A valid policy; the blank lines (parse_policy skips them) make the body take 13 s.
BODY = policy_text("enforce", "mx.drip.test") + b"\n" * 200


async def test_a_body_sent_a_byte_at_a_time_ends_at_the_timeout() -> None:
    with HttpsServer(chain_context(issue(HOST, (HOST,), issuer=pki.issuing),
                                   pki.issuing)) as web:
        web.replies[HOST] = Reply(BODY, drip=DRIP)
        started = time.monotonic()
        fetched = await fetch_policy(HOST, ["127.0.0.1"], https_context(TRUST),
                                     FetchOptions(port=web.port, timeout=TIMEOUT))
        took = time.monotonic() - started
    assert len(BODY) * DRIP > 10 * TIMEOUT
    assert (fetched.policy, fetched.result_type) == (None, FETCH)
    assert fetched.error == (
        f"MTA-STS policy fetch from https://{HOST}/.well-known/mta-sts.txt failed: timeout")
    assert took < 3 * TIMEOUT, took

