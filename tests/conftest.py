"""Suite-wide fixtures: a guard that no test sends DNS queries off this machine, and the
suite's throwaway CA (`ca`). The helpers every test shares live in tests/kit/.

A query off loopback is refused (as a DNS failure) and the test fails at teardown, even
when the lookup happened deep inside an engine that swallows resolver errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dns.asyncresolver
import dns.resolver
import pytest
import trustme

from tests.kit.certs import make_ca
from tests.kit.loopback import is_loopback


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    """One CA for the session (trustme, ECDSA): fake MXs, listeners and clients trust it."""
    return make_ca()


@pytest.fixture(autouse=True)
def dns_stays_on_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    outside: list[str] = []

    def guarded(original: Any) -> Any:
        def resolve(self: dns.resolver.BaseResolver, *args: Any, **kwargs: Any) -> Any:
            servers = [str(ns) for ns in self.nameservers if not is_loopback(str(ns))]
            if servers:
                outside.extend(servers)
                raise dns.resolver.NoNameservers(f"off-loopback DNS refused in tests: {servers}")
            return original(self, *args, **kwargs)

        return resolve

    for cls in (dns.resolver.Resolver, dns.asyncresolver.Resolver):
        monkeypatch.setattr(cls, "resolve", guarded(cls.resolve))
    yield
    assert not outside, f"a test asked DNS servers off loopback: {sorted(set(outside))}"
