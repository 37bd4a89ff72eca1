"""Shared pieces of the outbound tests: the gateway's configuration, one domain's
delivery run directly, and a fake clock (certificates for fake MXs: tests/kit/certs.py)."""

from __future__ import annotations

from pathlib import Path

import trustme

from engine.maillog import MailLog
from engine.outbound.client import DomainDelivery, Job, Result
from engine.outbound.resolver import Resolver
from engine.runtime import build_outbound
from state.model import (
    Authorities,
    Config,
    CustomCA,
    DestinationControls,
    DestinationEntry,
    DnsSettings,
    TLSMode,
)
from state.secrets import Secrets

DOMAIN = "partner.test"


def outbound_config(
    ca: trustme.CA | None,
    dns_port: int = 53,
    tls: TLSMode = TLSMode.NO,
    domain: str = DOMAIN,
    **default_fields: object,
) -> Config:
    """Gateway config: trusts only the test CA, DNS on the local dnsmasq, `tls` for `domain`."""
    custom = (CustomCA(name="test", pem=ca.cert_pem.bytes().decode()),) if ca else ()
    default = DestinationEntry(
        domain="DEFAULT", tls=TLSMode.NO, max_concurrency=500, max_msgs_per_connection=50
    )
    for key, value in default_fields.items():
        default = DestinationEntry(**{**_fields(default), key: value})
    return Config(
        hostname="gateway.test",
        authorities=Authorities(system_enabled=False, custom_enabled=True, custom=custom),
        destinations=DestinationControls(
            default=default, entries=(DestinationEntry(domain=domain, tls=tls),)
        ),
        dns=DnsSettings(servers=("127.0.0.1",), port=dns_port, timeout=2.0),
    )


async def deliver_jobs(config: Config, domain: str, mx_port: int, data_dir: Path,
                       jobs: list[Job]) -> list[Result]:
    """One DomainDelivery of `jobs` to `domain`, its MXs on `mx_port` (mail_logs in
    `data_dir`); the results reported, in order."""
    log = MailLog(data_dir / "mail_logs")
    results: list[Result] = []

    async def report(job: Job, got: dict[int, Result]) -> None:
        results.extend(got.values())

    dcids = iter(range(1, 1000))
    outbound = build_outbound(config, Secrets(data_dir))
    delivery = DomainDelivery(
        outbound, outbound.destinations.lookup(domain), Resolver(config.dns, mx_port),
        log, lambda: next(dcids), report,
    )
    try:
        await delivery.run(jobs)
    finally:
        log.close()
    return results


def one_job(domain: str) -> Job:
    return Job(1, "a@gateway.test", [0], [f"u@{domain}"], lambda: b"S: t\r\n\r\nx\r\n")


def _fields(entry: DestinationEntry) -> dict[str, object]:
    return {f: getattr(entry, f) for f in entry.__struct_fields__}


class FakeClock:
    """The queue's clock in tests: time moves only when a test moves it."""

    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def now(self) -> float:
        return self.t
