"""Outbound Verify trusts EXACTLY the enabled certconfig CERTAUTHORITY lists.

Real deliveries (dnsmasq for the MX, a fake MX serving a chain from the test CA)
under Required - Verify. The "system" list is the OS bundle that
`ssl.get_default_verify_paths()` names, which the tests point at a file of their
own through SSL_CERT_FILE; SSL_CERT_DIR points at a hashed CA directory, which
OpenSSL's `load_default_certs()` would also trust but which is no certconfig list.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
import trustme

from state.model import Authorities, CustomCA, TLSMode, replace
from tests.engine.outbound_kit import deliver_jobs, one_job, outbound_config
from tests.kit.certs import make_ca, server_context
from tests.kit.dnsserver import DnsServer
from tests.kit.fakemx import Behaviour, FakeMX

IP = "127.0.0.41"
DOMAIN = "trust.test"
MX = "mx.trust.test"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts={MX: IP}, mx=[(DOMAIN, MX, 10)]) as server:
        yield server


def pem(ca: trustme.CA) -> str:
    return ca.cert_pem.bytes().decode()


def hashed_dir(path: Path, ca: trustme.CA) -> Path:
    """An OpenSSL CA directory (<subject hash>.0) holding `ca`."""
    path.mkdir()
    cert = path / "ca.pem"
    cert.write_text(pem(ca))
    digest = subprocess.run(
        ["openssl", "x509", "-subject_hash", "-noout", "-in", str(cert)],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    cert.rename(path / f"{digest}.0")
    return path


async def deliver(
    tmp_path: Path, dns: DnsServer, ca: trustme.CA, authorities: Authorities
) -> tuple[str, str]:
    """One message under Required - Verify to an MX whose chain ends at `ca`: (status, log)."""
    config = replace(outbound_config(None, dns.port, TLSMode.REQUIRED_VERIFY, domain=DOMAIN),
                     authorities=authorities)
    async with FakeMX(Behaviour(context=server_context(ca, MX)), host=IP) as mx:
        results = await deliver_jobs(config, DOMAIN, mx.port, tmp_path, [one_job(DOMAIN)])
    assert len(results) == 1
    assert len(mx.messages) == (1 if results[0].status == "delivered" else 0)
    return results[0].status, (tmp_path / "mail_logs").read_text()


class SystemCAs(NamedTuple):
    bundle: trustme.CA  # the whole "system" bundle file
    directory: trustme.CA  # only in OpenSSL's CA directory


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SystemCAs:
    cas = SystemCAs(make_ca(), make_ca())
    bundle = tmp_path / "system-bundle.pem"
    bundle.write_text(pem(cas.bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(hashed_dir(tmp_path / "certdir", cas.directory)))
    return cas


async def test_custom_ca_trusted_while_its_list_is_enabled(
    system: SystemCAs, dns: DnsServer, tmp_path: Path
) -> None:
    ca = make_ca()
    auth = Authorities(
        system_enabled=False, custom_enabled=True, custom=(CustomCA("partner", pem(ca)),)
    )
    status, log = await deliver(tmp_path, dns, ca, auth)
    assert status == "delivered"
    assert f"TLS certificate verified: match {MX}" in log


async def test_custom_ca_in_disabled_list_does_not_verify(
    system: SystemCAs, dns: DnsServer, tmp_path: Path
) -> None:
    ca = make_ca()
    auth = Authorities(
        system_enabled=True, custom_enabled=False, custom=(CustomCA("partner", pem(ca)),)
    )
    status, log = await deliver(tmp_path, dns, ca, auth)
    assert status == "deferred"
    assert "TLS failed: unable to get local issuer certificate" in log
    assert "TLS was required but could not be successfully negotiated" in log


async def test_system_ca_trusted_while_system_list_is_enabled(
    system: SystemCAs, dns: DnsServer, tmp_path: Path
) -> None:
    auth = Authorities(system_enabled=True, custom_enabled=False)
    status, log = await deliver(tmp_path, dns, system.bundle, auth)
    assert status == "delivered"
    assert f"TLS certificate verified: match {MX}" in log


async def test_system_ca_in_disabled_list_does_not_verify(
    system: SystemCAs, dns: DnsServer, tmp_path: Path
) -> None:
    other = make_ca()
    auth = Authorities(
        system_enabled=False, custom_enabled=True, custom=(CustomCA("other", pem(other)),)
    )
    status, _ = await deliver(tmp_path, dns, system.bundle, auth)
    assert status == "deferred"


async def test_openssl_ca_directory_is_no_list(
    system: SystemCAs, dns: DnsServer, tmp_path: Path
) -> None:
    # Only the bundle file is the system list; OpenSSL's default CA directory is not trusted.
    auth = Authorities(system_enabled=True, custom_enabled=True)
    status, _ = await deliver(tmp_path, dns, system.directory, auth)
    assert status == "deferred"


async def test_nothing_enabled_trusts_nothing(
    system: SystemCAs, dns: DnsServer, tmp_path: Path
) -> None:
    ca = make_ca()
    auth = Authorities(
        system_enabled=False, custom_enabled=False, custom=(CustomCA("partner", pem(ca)),)
    )
    status, _ = await deliver(tmp_path, dns, ca, auth)
    assert status == "deferred"
