"""Verify settings trust exactly the enabled certconfig CERTAUTHORITY lists (real sockets)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from state.model import Authorities, Certificate, Config, CustomCA, TLSMode, replace
from state.store import Store
from tests.engine.builders import config, hat, listener
from tests.kit.certs import client_context
from tests.kit.engine import running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async


async def client_cert_accepted(port: int, server_ca: trustme.CA, client_ca: trustme.CA) -> bool:
    """STARTTLS with a client certificate issued by `client_ca`; True if MAIL FROM works."""
    ctx = client_context(server_ca)
    client_ca.issue_cert("client.test").configure_cert(ctx)
    client = await RawSmtp.connect(port)
    try:
        await client.reply()
        await client.cmd("EHLO client.test")
        assert (await client.cmd("STARTTLS"))[0] == 220
        await client.starttls(ctx)
        await client.cmd("EHLO client.test")
        return (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 250
    except (ssl.SSLError, ConnectionError, OSError):
        return False  # TLS 1.3 reports a refused client certificate on the first read
    finally:
        await client.close()


async def commit(data: Path, cfg: Config, parent: int) -> None:
    store = Store(data)
    store.write(cfg, parent, "admin", "test", "authorities")
    store.close()


async def test_verify_trusts_the_union_of_enabled_lists(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom_ca, system_ca = trustme.CA(), trustme.CA()
    bundle = tmp_path / "system-bundle.pem"
    bundle.write_bytes(system_ca.cert_pem.bytes())
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # the "operating system's" bundle
    entry = CustomCA(name="Partner CA", pem=custom_ca.cert_pem.bytes().decode())
    base = config(listener(the_hat=hat(TLSMode.REQUIRED_VERIFY)), certificates=(test_cert,))
    steps = [  # (system_enabled, custom_enabled) -> (system CA accepted, custom CA accepted)
        ((True, True), (True, True)),
        ((False, True), (False, True)),
        ((True, False), (True, False)),
        ((False, False), (False, False)),
    ]
    first = replace(base, authorities=Authorities(custom=(entry,)))
    async with running_engine(tmp_path, first, poll_interval=0.05) as engine:
        for version, ((system, custom), expected) in enumerate(steps, 1):
            if version > 1:
                auth = Authorities(system_enabled=system, custom_enabled=custom, custom=(entry,))
                await commit(tmp_path, replace(base, authorities=auth), version - 1)
                await wait_until_async(lambda v=version: engine.runtime is not None  # type: ignore[misc]
                                 and engine.runtime.version == v)
            port = engine.bound_port("InboundMail")
            assert port is not None
            got = (await client_cert_accepted(port, ca, system_ca),
                   await client_cert_accepted(port, ca, custom_ca))
            assert got == expected, (system, custom)
            # a CA in neither list is never trusted
            assert not await client_cert_accepted(port, ca, trustme.CA())
