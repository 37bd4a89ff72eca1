"""Inbound TLS policy on real sockets with a throwaway CA."""

from __future__ import annotations

import asyncio.sslproto
import hashlib
import ssl
from pathlib import Path

import aiosmtplib
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from engine.tls import TLS_READ_BUFFER
from state.model import Authorities, Certificate, CustomCA, TLSMode, replace
from state.secrets import Secrets
from state.store import Store
from tests.engine.builders import config, hat, listener
from tests.kit.certs import client_context, issue_certificate
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

MUST = "530 5.7.0 Must issue a STARTTLS command first"


def served_fingerprint(client: RawSmtp) -> str:
    der = client.writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    return hashlib.sha256(der).hexdigest()


def leaf_fingerprint(cert: Certificate) -> str:
    leaf = x509.load_pem_x509_certificate(cert.chain[0].encode())
    return hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest()


async def greet(port: int) -> RawSmtp:
    client = await RawSmtp.connect(port)
    code, _ = await client.reply()
    assert code == 220
    return client


async def test_tls_no_does_not_offer_starttls(tmp_path: Path, test_cert: Certificate) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.NO)), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        client = await greet(engine.bound_port("InboundMail"))
        code, lines = await client.cmd("EHLO client.test")
        assert code == 250 and not any("STARTTLS" in line for line in lines)
        code, lines = await client.cmd("STARTTLS")
        assert code == 502 and "not available" in lines[0]
        assert (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        await client.close()


async def test_preferred_offers_and_plain_mail_is_accepted(
    tmp_path: Path, test_cert: Certificate
) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.PREFERRED)), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        client = await greet(engine.bound_port("InboundMail"))
        _, lines = await client.cmd("EHLO client.test")
        assert "250-STARTTLS" in lines and not any("AUTH" in line for line in lines)
        assert (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        assert (await client.cmd("RCPT TO:<u@example.com>"))[0] == 250
        assert (await client.cmd("DATA"))[0] == 354
        code, lines = await client.cmd("Subject: plain\r\n\r\nhello\r\n.")
        assert code == 250 and lines[0].startswith("250 ok:  Message ")
        await client.close()
        assert len(engine.spool.messages()) == 1


async def test_preferred_with_a_real_client_over_starttls(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.PREFERRED)), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        smtp = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=engine.bound_port("InboundMail"),
            tls_context=client_context(ca), start_tls=True,
        )
        await smtp.connect()
        assert not smtp.supports_extension("auth")  # no SMTP AUTH, even after TLS
        errors, reply = await smtp.sendmail(
            "a@b.test", ["u@example.com"], b"Subject: tls\r\n\r\nsecret\r\n"
        )
        assert errors == {} and reply.startswith("ok:  Message ")
        await smtp.quit()
        await wait_until_async(log_has(tmp_path, "TLS success protocol TLSv1.3 cipher "))


async def test_a_large_message_over_starttls_with_the_small_read_buffer(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    """The engine shrinks asyncio's TLS read buffer to 16 KiB; 5 MB must still arrive whole."""
    cfg = config(listener(the_hat=hat(TLSMode.REQUIRED)), certificates=(test_cert,))
    body = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 5000
    async with running_engine(tmp_path, cfg) as engine:
        assert asyncio.sslproto.SSLProtocol.max_size == TLS_READ_BUFFER
        smtp = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=engine.bound_port("InboundMail"),
            tls_context=client_context(ca), start_tls=True,
        )
        await smtp.connect()
        errors, _ = await smtp.sendmail("a@b.test", ["u@example.com"], body)
        await smtp.quit()
        [message] = engine.spool.messages()
    assert errors == {} and message.content().endswith(body)
    assert message.content().startswith(b"Received: from ")


async def test_required_refuses_commands_before_starttls(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.REQUIRED)), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        client = await greet(engine.bound_port("InboundMail"))
        # HELO too: a HELO client can never be offered STARTTLS (the appliance: 530).
        assert await client.cmd("HELO client.test") == (530, [MUST])
        assert (await client.cmd("NOOP"))[0] == 250
        assert await client.cmd("MAIL FROM:<a@b.test>") == (530, [MUST])
        assert await client.cmd("RCPT TO:<u@example.com>") == (530, [MUST])
        assert await client.cmd("RSET") == (530, [MUST])
        _, lines = await client.cmd("EHLO client.test")
        assert "250-STARTTLS" in lines
        assert await client.cmd("STARTTLS") == (220, ["220 Go ahead with TLS"])
        await client.starttls(client_context(ca))
        assert (await client.cmd("EHLO client.test"))[0] == 250
        assert (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        assert (await client.cmd("RCPT TO:<u@example.com>"))[0] == 250
        assert (await client.cmd("DATA"))[0] == 354
        assert (await client.cmd("Subject: x\r\n\r\nbody\r\n."))[0] == 250
        await client.cmd("QUIT")
        await client.close()
    log = read_mail_logs(tmp_path)
    assert log.count("ICID 1 TLS was required but remote host did not initiate it") == 1
    assert "ICID 1 TLS success protocol TLSv1" in log


async def test_served_certificate_follows_commits_but_open_connections_keep_theirs(
    tmp_path: Path, ca: trustme.CA, secrets: Secrets, test_cert: Certificate
) -> None:
    new_cert = issue_certificate(ca, secrets, "Second")
    cfg = config(listener(the_hat=hat(TLSMode.PREFERRED)), certificates=(test_cert, new_cert))
    async with running_engine(tmp_path, cfg) as engine:
        port = engine.bound_port("InboundMail")
        before = await greet(port)  # accepted under version 1
        second = Store(tmp_path)
        second.write(
            replace(cfg, listeners=(replace(cfg.listeners[0], certificate="Second"),)),
            1, "admin", "test", "new cert",
        )
        second.close()
        await wait_until_async(lambda: engine.runtime is not None and engine.runtime.version == 2)
        assert engine.bound_port("InboundMail") == port  # same socket kept
        after = await greet(port)
        for client in (before, after):
            await client.cmd("EHLO client.test")
            assert (await client.cmd("STARTTLS"))[0] == 220
            await client.starttls(client_context(ca))
            assert (await client.cmd("EHLO client.test"))[0] == 250
            assert (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        assert served_fingerprint(before) == leaf_fingerprint(test_cert)
        assert served_fingerprint(after) == leaf_fingerprint(new_cert)
        await before.close()
        await after.close()


async def test_bytes_pipelined_after_starttls_are_discarded(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.PREFERRED)), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        client = await greet(engine.bound_port("InboundMail"))
        await client.cmd("EHLO client.test")
        # One packet: STARTTLS plus an injected plaintext transaction.
        await client.send(
            "STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\nRCPT TO:<u@example.com>\r\n"
        )
        assert (await client.reply())[0] == 220
        await client.starttls(client_context(ca))
        # The first reply over TLS answers our EHLO, not an injected command.
        _, lines = await client.cmd("EHLO client.test")
        assert lines[0] == "250-mail.test"
        # Had the injected MAIL run, this would be 250; the session must be fresh.
        code, _ = await client.cmd("RCPT TO:<u@example.com>")
        assert code == 503
        await client.cmd("QUIT")
        await client.close()
    assert "evil@attacker.test" not in read_mail_logs(tmp_path)


async def test_only_crlf_dot_crlf_ends_data(tmp_path: Path, test_cert: Certificate) -> None:
    cfg = config(listener(), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        client = await greet(engine.bound_port("InboundMail"))
        await client.cmd("EHLO client.test")
        await client.cmd("MAIL FROM:<a@b.test>")
        await client.cmd("RCPT TO:<u@example.com>")
        assert (await client.cmd("DATA"))[0] == 354
        smuggled = (
            "Subject: s\r\n\r\nfirst\n.\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<v@example.com>\r\n"
        )
        await client.send(smuggled + "still data\r.\rmore\r\n")
        # Nothing ended DATA yet: a NOOP is swallowed as message text.
        await client.send("NOOP\r\n.\r\n")
        code, lines = await client.reply()
        assert code == 250 and "accepted" in lines[0]
        await client.cmd("QUIT")
        await client.close()
        [message] = engine.spool.messages()
        content = message.content()
        assert b"first\n.\nMAIL FROM:<evil@x.test>" in content and b"NOOP" in content
        assert message.recipients == ("u@example.com",)


async def test_required_verify_checks_client_certificates(
    tmp_path: Path, ca: trustme.CA, test_cert: Certificate
) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.REQUIRED_VERIFY)), certificates=(test_cert,))
    trusted = CustomCA(name="Test CA", pem=ca.cert_pem.bytes().decode())
    cfg = replace(cfg, authorities=Authorities(system_enabled=False, custom=(trusted,)))
    async with running_engine(tmp_path, cfg) as engine:
        port = engine.bound_port("InboundMail")
        with_cert = client_context(ca)
        ca.issue_cert("client.test").configure_cert(with_cert)
        good = await greet(port)
        await good.cmd("EHLO client.test")
        await good.cmd("STARTTLS")
        await good.starttls(with_cert)
        assert (await good.cmd("EHLO client.test"))[0] == 250
        assert (await good.cmd("MAIL FROM:<a@b.test>"))[0] == 250
        await good.close()

        bad = await greet(port)
        await bad.cmd("EHLO client.test")
        await bad.cmd("STARTTLS")
        try:
            await bad.starttls(client_context(ca))  # no client certificate
            await bad.cmd("EHLO client.test")
        except (ssl.SSLError, ConnectionError, OSError):
            pass
        await wait_until_async(log_has(tmp_path, "ICID 2 TLS failed: "))
        await bad.close()
    log = read_mail_logs(tmp_path)
    assert "Traceback" not in log
