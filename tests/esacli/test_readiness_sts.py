"""tlsreadiness names what the engine's MTA-STS cache holds for a destination with MTA-STS
on (issue 13: partner readiness shows the DANE and MTA-STS state)."""

from __future__ import annotations

import time

from engine.outbound.mtasts import Policy, StsMode
from engine.outbound.mtasts_cache import Cached
from esacli.commands.ops.tlsreadiness.render import sts_cached

NOW = 1_800_000_000.0
DAY = 86400.0
POLICY = Policy(mode=StsMode.ENFORCE, mx=("mx.partner.test", "*.partner.test"), max_age=86400,
                text="version: STSv1\nmode: enforce\n")


def cached(policy: Policy | None, expires: float, error: str = "") -> Cached:
    return Cached(domain="partner.test", policy_id="20261201", policy=policy, fetched=NOW - DAY,
                  expires=expires, last_error=error, last_error_type="", last_attempt=NOW)


def test_what_the_cache_holds_is_shown() -> None:
    until = time.strftime("%Y-%m-%d %H:%M", time.localtime(NOW + DAY))
    assert sts_cached(cached(POLICY, NOW + DAY), NOW) == [
        f"MTA-STS policy cached: mode enforce, MX mx.partner.test, *.partner.test, "
        f"valid until {until}"]
    expired = sts_cached(cached(POLICY, NOW - 1, "connection refused"), NOW)
    assert expired[0].startswith("MTA-STS policy cached: expired ")
    assert expired[1] == "MTA-STS last fetch failed: connection refused"
    assert sts_cached(None, NOW)[0].startswith("MTA-STS policy cached: none")
    assert sts_cached(cached(None, 0, "no policy file"), NOW) == [
        sts_cached(None, NOW)[0], "MTA-STS last fetch failed: no policy file"]
