"""The test DNS server answers what it was given and NXDOMAIN for the rest."""

import dns.resolver
import pytest

from tests.kit.dnsserver import DnsServer


def test_dnsmasq_serves_the_records() -> None:
    with DnsServer(
        hosts={"mx.partner.example": "127.0.0.2"},
        mx=[("partner.example", "mx.partner.example", 10)],
        addresses={"dnsbl.test": "127.0.0.2"},
    ) as server:
        r = dns.resolver.Resolver(configure=False)
        r.nameservers, r.port, r.lifetime = ["127.0.0.1"], server.port, 2
        assert [a.to_text() for a in r.resolve("partner.example", "MX")] == [
            "10 mx.partner.example."
        ]
        assert r.resolve("2.0.0.127.in-addr.arpa", "PTR")[0].to_text() == "mx.partner.example."
        assert r.resolve("2.0.0.127.dnsbl.test", "A")[0].to_text() == "127.0.0.2"
        with pytest.raises(dns.resolver.NXDOMAIN):
            r.resolve("nothing.example", "A")
