"""state.certs and state.authorities: CSR, country codes, validity, chains, PKCS#12, CA lists."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import pytest
import trustme
from cryptography import x509

from state import authorities, cert_usage, certs, model
from state.defaults import DEMO_CERT, factory_config
from state.errors import CertError
from state.model import Authorities, CustomCA
from state.secrets import Secrets
from tests.kit.certs import SigningCA

NOW = dt.datetime.now(dt.UTC)


def test_request_makes_a_self_signed_certificate_and_a_matching_csr() -> None:
    key = certs.generate_key()
    subject = certs.Subject("mail.example.com", "Example Inc", "IT", "Springfield", "IL", "us")
    cert, csr = certs.request(key, subject, ("mail.example.com", "mx.example.com"), 30, NOW)
    assert csr.is_signature_valid and certs.key_id(cert) == certs.key_id(key)
    assert csr.subject == cert.subject
    assert "C=US" in csr.subject.rfc4514_string()
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["mail.example.com", "mx.example.com"]
    assert (cert.not_valid_after_utc - NOW).days == 29
    pem = certs.csr_pem(csr)
    assert pem.startswith("-----BEGIN CERTIFICATE REQUEST-----") and "PRIVATE" not in pem


@pytest.mark.parametrize("kind", ["rsa-2048", "ecdsa-p256"])
def test_key_types(kind: str) -> None:
    key = certs.generate_key(kind)
    cert, csr = certs.request(key, certs.Subject("a.example"), (), 1, NOW)
    assert certs.key_matches(cert, key) and csr.is_signature_valid


@pytest.mark.parametrize(("code", "ok"), [("US", True), ("de", True), ("UK", False),
                                          ("XX", False), ("USA", False), ("", False)])
def test_country_codes(code: str, ok: bool) -> None:
    assert certs.is_country_code(code) is ok


def test_validity_problems() -> None:
    key = certs.generate_key()
    cert = certs.self_signed(key, "a.example", days=40, now=NOW)
    assert certs.validity_problem(cert, NOW) is None
    assert certs.validity_problem(cert, NOW + dt.timedelta(days=41)) == "expired"
    assert certs.validity_problem(cert, NOW - dt.timedelta(days=1)) == "not yet valid"
    info = certs.describe(cert)
    end = cert.not_valid_after_utc
    assert info.status(end - dt.timedelta(days=4, hours=12)) == "Expires in 4 days"
    assert info.status(end - dt.timedelta(days=31)) == "Valid"
    assert info.status(end + dt.timedelta(seconds=1)) == "Expired"


def test_issued_by_follows_the_chain() -> None:
    ca = SigningCA()
    key = certs.generate_key()
    _, csr = certs.request(key, certs.Subject("mail.example.com"), ("mail.example.com",), 1, NOW)
    leaf = certs.parse_certificate(ca.sign(certs.csr_pem(csr)))
    assert certs.issued_by(leaf, ca.intermediate)
    assert certs.issued_by(ca.intermediate, ca.root)
    assert not certs.issued_by(leaf, ca.root)
    assert certs.is_ca(ca.intermediate) and not certs.is_ca(leaf)


def test_pkcs12_round_trip_and_wrong_passphrase() -> None:
    ca = trustme.CA()
    issued = ca.issue_cert("mail.example.com")
    key = certs.parse_private_key(issued.private_key_pem.bytes().decode())
    chain = tuple(b.bytes().decode() for b in issued.cert_chain_pems)
    data = certs.to_pkcs12("mail", key, chain, "s3cret pass")
    assert b"PRIVATE KEY" not in data
    back_key, back_chain = certs.from_pkcs12(data, "s3cret pass")
    assert certs.key_id(back_key) == certs.key_id(key)
    assert [certs.normalise_pem(c) for c in back_chain] == list(chain)
    for wrong in ("wrong", ""):
        with pytest.raises(certs.Pkcs12Refused):
            certs.from_pkcs12(data, wrong)
    with pytest.raises(certs.Pkcs12Refused):
        certs.from_pkcs12(b"not pkcs12", "s3cret pass")
    with pytest.raises(CertError):
        certs.to_pkcs12("mail", key, chain, "")


def test_pkcs12_without_a_key_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    cert = certs.self_signed(certs.generate_key(), "a.example")
    data = pkcs12.serialize_key_and_certificates(
        b"x", None, cert, None, serialization.BestAvailableEncryption(b"pw"))
    with pytest.raises(CertError, match="no certificate and key") as info:
        certs.from_pkcs12(data, "pw")
    assert not isinstance(info.value, certs.Pkcs12Refused)


def test_parse_certificates_bundle_and_garbage() -> None:
    ca = SigningCA()
    assert len(certs.parse_certificates(ca.root_pem + ca.intermediate_pem)) == 2
    for bad in ("garbage", ca.root_pem[:200], ca.root_pem + "-----BEGIN PRIVATE KEY-----\n"):
        with pytest.raises(CertError):
            certs.parse_certificates(bad)


def test_trusted_pem_is_the_union_of_the_enabled_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system, custom = SigningCA(), SigningCA()
    bundle = tmp_path / "system.pem"
    bundle.write_text(system.root_pem)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert authorities.system_cas() == (system.root_pem,)
    entry = CustomCA(name="Custom", pem=custom.root_pem)

    def trusted(**kw: bool) -> set[str]:
        pem = authorities.trusted_pem(Authorities(custom=(entry,), **kw))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if pem:
            ctx.load_verify_locations(cadata=pem)
        return {str(c["serialNumber"]) for c in ctx.get_ca_certs()}

    both = trusted()
    assert len(both) == 2
    assert len(trusted(system_enabled=False)) == 1
    assert len(trusted(custom_enabled=False)) == 1
    assert trusted(system_enabled=False) != trusted(custom_enabled=False)
    assert trusted(system_enabled=False, custom_enabled=False) == set()


def test_custom_entries_names_skips_duplicates_and_non_cas() -> None:
    ca = SigningCA()
    key = certs.generate_key()
    leaf = certs.normalise_pem(certs.self_signed(key, "leaf.example"))
    # a self-signed leaf without basicConstraints counts as a (v1-style) root; make a real leaf
    _, csr = certs.request(key, certs.Subject("mail.example.com"), (), 1, NOW)
    signed = ca.sign(certs.csr_pem(csr))
    added, refused = authorities.custom_entries((), ca.root_pem + ca.intermediate_pem + signed)
    assert [a.name for a in added] == ["esacli Test Root CA", "esacli Test Issuing CA"]
    assert refused == ["mail.example.com"]
    again, refused = authorities.custom_entries(tuple(added), ca.root_pem + leaf)
    assert [a.name for a in again] == ["leaf.example"] and refused == ["esacli Test Root CA"]


def test_certificate_users(tmp_path: Path) -> None:
    config = factory_config(Secrets(tmp_path))
    users = cert_usage.users(config, DEMO_CERT)
    assert [(u.service.value, u.name) for u in users] == [
        ("listener", "InboundMail"), ("listener", "OutboundMail"), ("outbound", "")]
    dest = model.replace(config.destinations, client_certificate="other")
    config = model.replace(config, destinations=dest)
    assert [u.service.value for u in cert_usage.users(config, "other")] == ["outbound"]
    assert len(cert_usage.users(config, DEMO_CERT)) == 2
