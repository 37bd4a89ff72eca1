"""A TLS-RPT https endpoint that takes the report and answers a byte at a time, each byte
well within httpx's timeout of one read, is given up at the post's timeout
(engine/outbound/tlsrpt_report.py `post`), as the MTA-STS fetch is."""

from __future__ import annotations

import time

from engine.outbound.mtasts import https_context
from engine.outbound.tlsrpt_report import post
from tests.engine.dnspolicy_world import TRUST, pki
from tests.kit.certs import chain_context, issue
from tests.kit.httpsserver import HttpsServer, Reply

HOST = "reports.drip.test"
TIMEOUT = 1.0
DRIP = 0.05  # between two bytes: far within one read's timeout
ANSWER = b"thank you\n" * 30  # 300 bytes: 15 s at that pace


async def loopback(host: str) -> tuple[list[str], str]:
    return ["127.0.0.1"], ""


async def test_an_answer_sent_a_byte_at_a_time_ends_at_the_timeout() -> None:
    with HttpsServer(chain_context(issue(HOST, (HOST,), issuer=pki.issuing),
                                   pki.issuing)) as web:
        web.post_reply = Reply(ANSWER, drip=DRIP)
        started = time.monotonic()
        why = await post(f"https://{HOST}:{web.port}/tlsrpt", b"report", https_context(TRUST),
                         loopback, timeout=TIMEOUT)
        took = time.monotonic() - started
        assert [p.body for p in web.posted] == [b"report"]  # it was sent, and taken
    assert len(ANSWER) * DRIP > 10 * TIMEOUT
    assert why == "timeout"
    assert took < 3 * TIMEOUT, took


async def test_a_prompt_answer_is_taken() -> None:
    with HttpsServer(chain_context(issue(HOST, (HOST,), issuer=pki.issuing),
                                   pki.issuing)) as web:
        web.post_reply = Reply(b"ok\n")
        why = await post(f"https://{HOST}:{web.port}/tlsrpt", b"report", https_context(TRUST),
                         loopback, timeout=TIMEOUT)
    assert why == ""
