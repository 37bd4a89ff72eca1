"""Suite-wide fixtures: a guard that no test sends DNS queries off this machine, and the
suite's throwaway CA (`ca`). The helpers every test shares live in tests/kit/.

A query off loopback is refused (as a DNS failure) and the test fails at teardown, even
when the lookup happened deep inside an engine that swallows resolver errors.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import dns.asyncquery
import dns.asyncresolver
import dns.nameserver
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
            servers = [a for a in map(_address, self.nameservers) if not is_loopback(a)]
            if servers:
                outside.extend(servers)
                raise dns.resolver.NoNameservers(f"off-loopback DNS refused in tests: {servers}")
            return original(self, *args, **kwargs)

        return resolve

    for cls in (dns.resolver.Resolver, dns.asyncresolver.Resolver):
        monkeypatch.setattr(cls, "resolve", guarded(cls.resolve))

    def guarded_query(original: Any) -> Any:  # `dig` asks a server itself, not a Resolver
        async def query(q: Any, where: str, *args: Any, **kwargs: Any) -> Any:
            if not is_loopback(where):
                outside.append(where)
                raise OSError(f"off-loopback DNS refused in tests: {where}")
            return await original(q, where, *args, **kwargs)

        return query

    monkeypatch.setattr(dns.asyncquery, "udp_with_fallback",
                        guarded_query(dns.asyncquery.udp_with_fallback))
    yield
    assert not outside, f"a test asked DNS servers off loopback: {sorted(set(outside))}"


def _address(nameserver: Any) -> str:
    """A resolver's nameserver: an address, or a dnspython Nameserver (engine/outbound/dnssec)."""
    if isinstance(nameserver, dns.nameserver.Nameserver):
        return nameserver.answer_nameserver()
    return str(nameserver)


# The in-process tests run first. Their fixed clock (tests/kit/shell.py's NOW, and
# tests/state/test_certs.py's) is taken at import, while the certificates the product makes
# during a test are valid from 5 minutes before they are made (state.certs.request): after
# a long end-to-end phase they were "not yet valid" on that clock. (A stable sort: the order
# within each part is unchanged.)
_FIRST = ("tests/state/", "tests/esacli/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(_FIRST))


@pytest.fixture(autouse=True)
def leaks_fail_their_own_test() -> Iterator[None]:
    """An unclosed socket or transport warns when it is collected: collect at the end of
    each test, so the warning fails the test that left it instead of whichever test the
    garbage collector happened to run in. What survives is frozen (never collected
    again), so each collection looks only at what the test made: a full one of the
    suite's heap took 140 ms. So this catches what a test leaves as garbage when it ends;
    what a module or session fixture drops later is only collected when the session ends."""
    yield
    gc.collect()
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish() -> None:
    gc.unfreeze()  # Hypothesis checks at the end that its PRNGs can still be collected
