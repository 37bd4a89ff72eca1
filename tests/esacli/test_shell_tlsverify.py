"""tlsverify transcripts (§8.3) against a good and a bad MX: real aiosmtpd servers on
loopback with STARTTLS certificates from a throwaway CA (trustme), which the COMMITTED
configuration trusts as a custom CA."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trustme
from aiosmtpd.smtp import SMTP

from state import model
from state.model import Authorities, CustomCA
from tests.kit.certs import make_ca, server_context
from tests.kit.shell import LocalAppliance, run_shell, transcript


class _Sink:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


@asynccontextmanager
async def mx(ca: trustme.CA, name: str) -> AsyncIterator[int]:
    """An SMTP server offering STARTTLS with a certificate for `name`; yields its port."""
    context = server_context(ca, name)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(_Sink(), hostname="mx.fake", tls_context=context), "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def trust(ca: trustme.CA, config: model.Config) -> model.Config:
    pem = ca.cert_pem.bytes().decode()
    return model.replace(config, authorities=Authorities(custom=(CustomCA(name="test", pem=pem),)))


def commit_trust(appliance: LocalAppliance, ca: trustme.CA) -> None:
    head = appliance.store.head_number()
    config = trust(ca, appliance.store.load(head))
    appliance.store.write(config, head, "admin", "test", "trust the test CA")


def stable(screen: str, port: int) -> str:
    """Blank out what changes between runs: the port, protocol and cipher, the
    certificate's subject and issuer (trustme makes random ones)."""
    screen = screen.replace(str(port), "PORT")
    screen = re.sub(r"protocol TLSv1\.\d, cipher \S+\.", "protocol TLS, cipher C.", screen)
    return re.sub(r"(Peer certificate (subject|issuer)): .*", r"\1: X", screen)


async def test_good_mx_batch_form(appliance: LocalAppliance) -> None:
    ca = make_ca()
    commit_trust(appliance, ca)
    async with mx(ca, "partner.test") as port:
        screen = await run_shell(appliance.session(),
                                 [f"tlsverify Partner.Test 127.0.0.1:{port}", "exit"])
    assert stable(screen, port) == transcript("""
        mail.example.com> tlsverify Partner.Test 127.0.0.1:PORT

        Connecting to 127.0.0.1 on port PORT.
        Connected to 127.0.0.1 from interface 127.0.0.1.
        Checking TLS connection.
        TLS connection established: protocol TLS, cipher C.
        Peer certificate subject: X
        Peer certificate issuer: X
        Peer certificate valid until: Jan  1 00:00:00 3000 GMT
        Verifying peer certificate.
        Verifying certificate subject alternative names partner.test.
        TLS certificate match partner.test
        TLS certificate verified.
        TLS connection to 127.0.0.1 succeeded.

        TLS successfully connected to partner.test.
        TLS verification completed.

        mail.example.com> exit
        """)


async def test_bad_mx_interactive_form(appliance: LocalAppliance) -> None:
    ca = make_ca()
    commit_trust(appliance, ca)
    async with mx(ca, "other.example") as port:
        lines = ["tlsverify", "bad..domain", "partner.test", "127.0.0.1:0",
                 f"127.0.0.1:{port}", "exit"]
        screen = await run_shell(appliance.session(), lines)
    assert stable(screen, port) == transcript("""
        mail.example.com> tlsverify

        Enter the TLS domain to verify against:
        []> bad..domain

        Invalid hostname format: "bad..domain".

        Enter the TLS domain to verify against:
        []> partner.test

        Enter the destination host to connect to. Leave the host blank to connect to the MX servers for the domain.
        []> 127.0.0.1:0

        The value must be an integer from 1 to 65535.

        Enter the destination host to connect to. Leave the host blank to connect to the MX servers for the domain.
        []> 127.0.0.1:PORT

        Connecting to 127.0.0.1 on port PORT.
        Connected to 127.0.0.1 from interface 127.0.0.1.
        Checking TLS connection.
        TLS connection established: protocol TLS, cipher C.
        Peer certificate subject: X
        Peer certificate issuer: X
        Peer certificate valid until: Jan  1 00:00:00 3000 GMT
        Verifying peer certificate.
        Verifying certificate subject alternative names other.example.
        TLS certificate does not match partner.test or 127.0.0.1: certificate names (other.example) match none of partner.test, 127.0.0.1
        TLS connection to 127.0.0.1 failed: certificate name mismatch

        TLS unable to connect to partner.test.
        TLS verification completed.

        mail.example.com> exit
        """)


async def test_uses_the_committed_configuration_not_staged_changes(
    appliance: LocalAppliance,
) -> None:
    ca = make_ca()
    session = appliance.session()
    session.stage(trust(ca, session.candidate))  # staged only: tlsverify must not see it
    async with mx(ca, "partner.test") as port:
        screen = await run_shell(session, [f"tlsverify partner.test 127.0.0.1:{port}", "exit",
                                           "y"])
    assert "TLS certificate verification failed" in screen
    assert "TLS unable to connect to partner.test." in screen
    assert "TLS certificate verified." not in screen


async def test_batch_usage_errors(appliance: LocalAppliance) -> None:
    screen = await run_shell(appliance.session(),
                             ["tlsverify a.test b c", "tlsverify -x", "help tlsverify", "exit"])
    assert transcript("""
        mail.example.com> tlsverify a.test b c

        tlsverify [<domain> [<hostname>[:<port>]]]

        mail.example.com> tlsverify -x

        Invalid hostname format: "-x".
        """) in screen
    assert "tlsverify - Check TLS configuration of a domain (no commit needed).\n" in screen
