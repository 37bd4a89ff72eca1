"""sslconfig on real sockets: inbound versions and ciphers on a running engine's
listener (changed by a commit, no restart), outbound versions and ciphers against a
fake MX found through dnsmasq, with the client contexts the queue builds."""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from engine.service import Engine
from state.model import (
    Certificate,
    Config,
    SslDirection,
    SslSettings,
    TLSMode,
    TlsVersion,
    replace,
)
from state.store import Store
from tests.engine.builders import config, hat, listener
from tests.engine.outbound_kit import deliver_jobs, one_job, outbound_config
from tests.kit.certs import client_context, server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.fakemx import Behaviour, FakeMX
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

V10, V13 = TlsVersion.TLS1_0, TlsVersion.TLS1_3
IP = "127.0.0.57"
DOMAIN, MX = "ssl.test", "mx.ssl.test"
AES128_ONLY = "ECDHE+AESGCM:!AES256"
LEGACY_CIPHERS = "ECDHE+AESGCM:ECDHE+AES:!aNULL"  # + CBC ciphers, which TLS 1.0/1.1 need


def inbound_config(test_cert: Certificate, inbound: SslDirection | None = None) -> Config:
    cfg = config(listener(the_hat=hat(TLSMode.PREFERRED)), certificates=(test_cert,))
    return replace(cfg, ssl=SslSettings(inbound=inbound or SslDirection()))


def capped(ca: trustme.CA, top: ssl.TLSVersion, ciphers: str | None = None) -> ssl.SSLContext:
    """A client context trusting `ca` that offers nothing above `top`."""
    ctx = client_context(ca)
    ctx.maximum_version = top
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    return ctx


async def handshake(port: int, ctx: ssl.SSLContext) -> tuple[str, str] | None:
    """STARTTLS with `ctx`: (protocol, cipher), or None when the handshake fails."""
    client = await RawSmtp.connect(port)
    try:
        assert (await client.reply())[0] == 220
        await client.cmd("EHLO client.test")
        assert (await client.cmd("STARTTLS"))[0] == 220
        try:
            await client.starttls(ctx)
        except (ssl.SSLError, ConnectionError):
            return None
        assert (await client.cmd("EHLO client.test"))[0] == 250
        tls = client.writer.get_extra_info("ssl_object")
        return tls.version(), tls.cipher()[0]
    finally:
        await client.close()


async def apply(engine: Engine, cfg: Config) -> None:
    """Commit `cfg` as the next version and wait until the running engine uses it."""
    store: Store = engine.store
    version = store.write(cfg, store.head_number(), "admin", "test", "sslconfig").number
    await wait_until_async(lambda: engine.runtime is not None and engine.runtime.version == version)


async def test_a_committed_tls13_only_inbound_method_applies_to_new_connections(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    async with running_engine(tmp_path, inbound_config(test_cert)) as engine:
        port = engine.bound_port("InboundMail")
        assert port is not None
        assert await handshake(port, capped(ca, ssl.TLSVersion.TLSv1_2)) is not None

        only13 = SslDirection(min_version=V13, max_version=V13)
        await apply(engine, inbound_config(test_cert, only13))
        assert engine.bound_port("InboundMail") == port  # same socket, new contexts

        assert await handshake(port, capped(ca, ssl.TLSVersion.TLSv1_2)) is None
        await wait_until_async(log_has(tmp_path, "ICID 2 TLS failed: "))
        got = await handshake(port, client_context(ca))
        assert got is not None and got[0] == "TLSv1.3"


async def test_inbound_cipher_string_decides_the_tls12_cipher(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    async with running_engine(tmp_path, inbound_config(test_cert)) as engine:
        port = engine.bound_port("InboundMail")
        assert port is not None
        # Unrestricted, the server prefers AES-256 ...
        got = await handshake(port, capped(ca, ssl.TLSVersion.TLSv1_2))
        assert got == ("TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384")

        # ... with AES-256 left out of the string it cannot choose it.
        await apply(engine, inbound_config(test_cert, SslDirection(ciphers=AES128_ONLY)))
        got = await handshake(port, capped(ca, ssl.TLSVersion.TLSv1_2))
        assert got == ("TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256")
        # a TLS 1.2 client offering only ciphers outside the string gets no handshake
        assert await handshake(port, capped(ca, ssl.TLSVersion.TLSv1_2, "ECDHE+CHACHA20")) is None
        # TLS 1.3 suites are OpenSSL's choice, whatever the string says
        got = await handshake(port, client_context(ca))
        assert got is not None and got[0] == "TLSv1.3"
    assert "ICID 2 TLS success protocol TLSv1.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256" in (
        read_mail_logs(tmp_path)
    )


def tls11_client(ca: trustme.CA) -> ssl.SSLContext:
    ctx = client_context(ca)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 allows TLS 1.1 only at level 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is deprecated: the point
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    return ctx


async def test_tls11_only_with_the_not_recommended_method(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    async with running_engine(tmp_path, inbound_config(test_cert)) as engine:
        port = engine.bound_port("InboundMail")
        assert port is not None
        assert await handshake(port, tls11_client(ca)) is None

        legacy = SslDirection(min_version=V10, ciphers=LEGACY_CIPHERS)
        await apply(engine, inbound_config(test_cert, legacy))
        got = await handshake(port, tls11_client(ca))
        assert got is not None and got[0] == "TLSv1.1"


# -- outbound -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts={MX: IP}, mx=[(DOMAIN, MX, 10)]) as server:
        yield server


async def deliver(
    tmp_path: Path, dns: DnsServer, ca: trustme.CA, outbound: SslDirection
) -> tuple[str, str]:
    """One message under Required TLS to an MX that speaks at most TLS 1.2: (status, log)."""
    cfg = replace(outbound_config(ca, dns.port, TLSMode.REQUIRED, domain=DOMAIN),
                  ssl=SslSettings(outbound=outbound))
    mx_ctx = server_context(ca, MX)
    mx_ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    async with FakeMX(Behaviour(context=mx_ctx), host=IP) as mx:
        results = await deliver_jobs(cfg, DOMAIN, mx.port, tmp_path, [one_job(DOMAIN)])
    assert len(results) == 1
    assert len(mx.messages) == (1 if results[0].status == "delivered" else 0)
    return results[0].status, (tmp_path / "mail_logs").read_text()


async def test_outbound_minimum_version_is_honoured(
    tmp_path: Path, dns: DnsServer, ca: trustme.CA
) -> None:
    status, log = await deliver(tmp_path / "default", dns, ca, SslDirection())
    assert status == "delivered"
    assert "TLS success protocol TLSv1.2" in log

    status, log = await deliver(tmp_path / "only13", dns, ca, SslDirection(min_version=V13))
    assert status == "deferred"
    assert "DCID 1 TLS failed: " in log
    assert "TLS was required but could not be successfully negotiated" in log


async def test_outbound_cipher_string_decides_the_tls12_cipher(
    tmp_path: Path, dns: DnsServer, ca: trustme.CA
) -> None:
    status, log = await deliver(tmp_path, dns, ca, SslDirection(ciphers=AES128_ONLY))
    assert status == "delivered"
    assert "TLS success protocol TLSv1.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256" in log
