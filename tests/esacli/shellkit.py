"""Helpers for shell transcript tests: a real store on a tmp data dir, real sessions,
and a ScriptedConsole-backed Shell whose screen is compared exactly.

(Not named conftest so test modules can import it without clashing with other
test folders' conftest modules.)"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from esacli.console import ScriptedConsole
from esacli.shell import Shell
from state.defaults import factory_config
from state.secrets import Secrets
from state.session import Session
from state.store import Store

# Fixed clock for `Changes cleared:` and the certificate list.
NOW = time.time()

@dataclass
class Appliance:
    store: Store
    secrets: Secrets

    def session(self) -> Session:
        return Session(self.store, self.secrets, "admin", "test")

@pytest.fixture
def appliance(tmp_path: Path) -> Appliance:
    secrets = Secrets(tmp_path)
    store = Store(tmp_path)
    store.write(factory_config(secrets), None, "admin", "test", "factory")
    return Appliance(store, secrets)

@pytest.fixture
def session(appliance: Appliance) -> Session:
    return appliance.session()

Run = Callable[..., "ScriptedConsole"]

async def run_shell(session: Session, lines: Sequence[str], *, until_eof: bool = False) -> str:
    """Run a Shell over `session` with scripted input and return the screen.

    The script must end the session itself (e.g. with `exit`) unless `until_eof`;
    a script that runs dry inside a dialog is a test error.
    """
    console = ScriptedConsole(lines)
    await Shell(console, session, clock=lambda: NOW).run()
    assert until_eof or not console.exhausted, f"script ran out:\n{console.screen}"
    assert not console.remaining, f"unused input {console.remaining}:\n{console.screen}"
    return console.screen

def transcript(text: str) -> str:
    """An expected screen written as an indented triple-quoted string.

    A `$` at the very end of a line marks a line that ends in spaces (a prompt
    answered with Enter), so the text stays readable and survives editors that
    strip trailing spaces. (`$` elsewhere, as in `$ACCEPTED`, is literal.)
    """
    return re.sub(r"\$$", "", textwrap.dedent(text).lstrip("\n"), flags=re.MULTILINE)


TRANSCRIPTS = Path(__file__).parent / "transcripts"


def load(name: str) -> str:
    """An expected screen from transcripts/<name>.txt (same `$` convention)."""
    return re.sub(r"\$$", "", (TRANSCRIPTS / f"{name}.txt").read_text(), flags=re.MULTILINE)

# -- certificates for certconfig tests ------------------------------------------
def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

def _sign(subject: str, issuer: str, key: ec.EllipticCurvePrivateKey,
          issuer_key: ec.EllipticCurvePrivateKey, ca: bool, days: int) -> str:
    now = dt.datetime.fromtimestamp(NOW, dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days, hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()

def key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()

@dataclass(frozen=True)
class Chain:
    leaf: str
    key: str
    intermediate: str
    other_key: str

def make_chain() -> Chain:
    """Root CA -> Test Intermediate CA -> mx.partner.example (365 days)."""
    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    inter = _sign("Test Intermediate CA", "Test Root CA", inter_key, root_key, True, 1000)
    leaf = _sign("mx.partner.example", "Test Intermediate CA", leaf_key, inter_key, False, 365)
    other = key_pem(ec.generate_private_key(ec.SECP256R1()))
    return Chain(leaf=leaf, key=key_pem(leaf_key), intermediate=inter, other_key=other)

def pem_lines(pem: str) -> list[str]:
    """A pasted PEM block as input lines, ending with the `.` line."""
    return pem.strip().splitlines() + ["."]


@pytest.fixture(scope="session")
def chain() -> Chain:
    return make_chain()
