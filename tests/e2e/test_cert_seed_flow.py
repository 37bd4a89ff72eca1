"""The seed's certificate story end to end, over a real Session and a real running Engine:

certconfig NEW (key and CSR on the appliance) -> a CA made with `cryptography` signs
the CSR with an intermediate -> certconfig EDIT pastes the certificate and the
intermediate -> listenerconfig EDIT CERTIFICATE -> commit -> `openssl s_client
-starttls smtp -verify_hostname` and Python's ssl (check_hostname) both verify the
listener by its host name, trusting only the root. Then: no private key text in any
screen, log, spool file, versioned document or file of the store.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import time
from pathlib import Path

import pytest

from state import model
from state.bootstrap import open_data_dir
from state.model import TLSMode
from state.session import Session
from tests.kit.appliance import prepared
from tests.kit.certs import SigningCA, csr_from_screen, pem_lines
from tests.kit.engine import read_mail_logs, running_engine
from tests.kit.shell import run_shell
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async

HOST = "mail.example.com"


def starttls_preferred(config: model.Config) -> model.Config:
    """InboundMail offering STARTTLS (Preferred)."""
    inbound = model.by_name(config.listeners, "InboundMail")
    assert inbound is not None
    default = model.replace(inbound.hat.default, tls=TLSMode.PREFERRED)
    inbound = model.replace(inbound, hat=model.replace(inbound.hat, default=default))
    return model.replace(config, listeners=model.put(config.listeners, inbound))


async def shell(session: Session, lines: list[str]) -> str:
    return await run_shell(session, lines, clock=time.time)


NEW = ["certconfig", "", "certificate", "new", "mailcert", HOST, "y", "Example Inc", "IT",
       "Springfield", "IL", "us", "", "", "", ""]


async def openssl_verify(port: int, cafile: Path, name: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-starttls", "smtp",
        "-servername", name, "-verify_hostname", name, "-CAfile", str(cafile),
        "-verify_return_error", "-brief",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(b"QUIT\r\n"), 20)
    return out.decode(errors="replace")


async def python_verify(port: int, cafile: Path, name: str) -> dict[str, object]:
    ctx = ssl.create_default_context(cafile=str(cafile))
    assert ctx.check_hostname
    client = await RawSmtp.connect(port)
    try:
        await client.reply()
        await client.cmd("EHLO client.test")
        assert (await client.cmd("STARTTLS"))[0] == 220
        await client.starttls(ctx, server_hostname=name)
        peer = client.writer.get_extra_info("peercert")
        assert (await client.cmd("EHLO client.test"))[0] == 250
        await client.cmd("QUIT")
        return dict(peer)
    finally:
        await client.close()


def key_texts(data: Path) -> list[str]:
    """The base64 body lines of every private key in the secrets area."""
    lines: list[str] = []
    for path in (data / "secrets" / "keys").glob("*.pem"):
        assert path.stat().st_mode & 0o077 == 0
        lines += [ln for ln in path.read_text().splitlines() if not ln.startswith("-----")]
    assert lines
    return lines


def everything_but_secrets(data: Path, session: Session) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for path in data.rglob("*"):
        if path.is_file() and "secrets" not in path.relative_to(data).parts:
            found.append((str(path), path.read_bytes()))
    store = session.store
    for number in range(1, store.head_number() + 1):
        found.append((f"version {number}", model.encode(store.load(number))))
    return found


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
async def test_new_csr_signed_pasted_used_and_verified(tmp_path: Path) -> None:
    data = prepared(tmp_path, starttls_preferred).data
    ca = SigningCA()
    cafile = tmp_path / "ca.pem"
    cafile.write_text(ca.root_pem)  # only the root: the listener must send the intermediate
    store, secrets = open_data_dir(data)
    session = Session(store, secrets, "admin", "test")
    async with running_engine(data, poll_interval=0.05) as engine:
        screens = [await shell(session, [*NEW, "", "", "exit", "y"])]
        signed = ca.sign(csr_from_screen(screens[0]))
        edit = ["certconfig", "", "certificate", "edit", "mailcert", "n", "y",
                *pem_lines(signed), "y", *pem_lines(ca.intermediate_pem), "n", "y", "", "",
                "listenerconfig", "edit", "InboundMail", "certificate", "mailcert", "", "",
                "commit", "CA-signed certificate", "exit"]
        screens.append(await shell(session, edit))
        assert "Changes committed" in screens[1]
        head = store.head_number()
        await wait_until_async(
            lambda: engine.runtime is not None and engine.runtime.version == head
        )
        port = engine.bound_port("InboundMail")
        assert port is not None
        out = await openssl_verify(port, cafile, HOST)
        assert "Verification: OK" in out and f"Verified peername: {HOST}" in out, out
        wrong = await openssl_verify(port, cafile, "other.example.com")
        assert "Verification: OK" not in wrong
        peer = await python_verify(port, cafile, HOST)
        assert ("DNS", HOST) in peer["subjectAltName"]  # type: ignore[operator]
        with pytest.raises(ssl.SSLCertVerificationError):
            await python_verify(port, cafile, "other.example.com")
        await wait_until_async(lambda: "TLS success" in read_mail_logs(data))
    profile = model.by_name(store.load().certificates, "mailcert")
    assert profile is not None and len(profile.chain) == 2 and profile.csr
    secret_lines = key_texts(data)
    for where, blob in [(f"screen {i}", s.encode()) for i, s in enumerate(screens)] + \
            everything_but_secrets(data, session):
        assert b"PRIVATE KEY" not in blob, where
        for line in secret_lines:
            assert line.encode() not in blob, where
    store.close()
