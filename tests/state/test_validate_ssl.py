"""sslconfig validation: versions ordered, cipher strings OpenSSL accepts and that
select some protected cipher, legacy versions only with ciphers they can use."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from state import model, validate_ssl
from state.defaults import factory_config
from state.model import DEFAULT_CIPHERS, Config, SslDirection, SslSettings, TlsVersion
from state.secrets import Secrets
from state.validate import validate

V10, V11, V12, V13 = TlsVersion.TLS1_0, TlsVersion.TLS1_1, TlsVersion.TLS1_2, TlsVersion.TLS1_3


def errors(tmp_path: Path, ssl: SslSettings) -> list[tuple[str, str]]:
    secrets = Secrets(tmp_path)
    config = model.replace(factory_config(secrets), ssl=ssl)
    return [(e.path, e.message) for e in validate(config, secrets)]


def test_defaults_are_safe_and_valid(tmp_path: Path) -> None:
    ssl = SslSettings()
    for direction in (ssl.inbound, ssl.outbound):
        assert (direction.min_version, direction.max_version) == (V12, V13)
        assert direction.ciphers == DEFAULT_CIPHERS
        assert not validate_ssl.is_legacy(direction)
    assert errors(tmp_path, ssl) == []
    names = validate_ssl.expand(DEFAULT_CIPHERS)
    assert names and all("GCM" in n or "CHACHA20" in n for n in names)
    assert all(n.startswith("ECDHE-") for n in names)


def test_a_stored_version_without_ssl_settings_gets_the_defaults() -> None:
    tree = msgspec.json.decode(model.encode(Config(hostname="mail.example.com")))
    del tree["ssl"]
    assert model.decode(msgspec.json.encode(tree)).ssl == SslSettings()


def test_every_error_has_its_path(tmp_path: Path) -> None:
    ssl = SslSettings(
        inbound=SslDirection(min_version=V13, max_version=V12, ciphers="bogus"),
        outbound=SslDirection(ciphers="HIGH"),
    )
    *found, (path, weak) = errors(tmp_path, ssl)
    assert found == [
        ("ssl.inbound.min_version",
         "The minimum TLS version (TLSv1.3) must not be above the maximum (TLSv1.2)."),
        ("ssl.inbound.ciphers", 'Not a valid cipher string: "bogus" (no cipher can be selected).'),
    ]
    # HIGH includes the anonymous ADH ciphers (which ones first is OpenSSL's order)
    assert path == "ssl.outbound.ciphers"
    assert weak.startswith('The cipher string "HIGH" selects ciphers without encryption or'
                           " authentication (ADH-")
    assert weak.endswith(", ...); add !aNULL:!eNULL.")


@pytest.mark.parametrize("ciphers", [
    "", " ECDHE+AESGCM", "nonsense", "RC4",
    "TLS_AES_128_GCM_SHA256",  # a TLS 1.3 suite selects nothing for TLS <= 1.2
    "ECDHE+AESGCM:!ECDHE",  # empty after expansion
    "NULL", "eNULL", "aNULL", "ALL", "ECDHE+AESGCM:ADH-AES128-GCM-SHA256",
    "ECDHE\x00", "ECDHE\nAESGCM",
])
def test_refused_cipher_strings(ciphers: str) -> None:
    assert validate_ssl.cipher_error(ciphers) is not None


@pytest.mark.parametrize("ciphers", [
    DEFAULT_CIPHERS, "ECDHE+AESGCM", "HIGH:!aNULL:!eNULL", "DEFAULT", "ALL:!aNULL:!eNULL",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
])
def test_accepted_cipher_strings(ciphers: str) -> None:
    assert validate_ssl.cipher_error(ciphers) is None
    assert validate_ssl.expand(ciphers)


@pytest.mark.parametrize(("low", "high"), [(V10, V13), (V11, V12), (V10, V10)])
def test_legacy_versions_need_a_cipher_they_can_use(low: TlsVersion, high: TlsVersion) -> None:
    aead_only = SslDirection(min_version=low, max_version=high)
    assert validate_ssl.is_legacy(aead_only)
    assert validate_ssl.ciphers_error(aead_only) == (
        f'The cipher string "{DEFAULT_CIPHERS}" selects no cipher TLS v1.0 or v1.1 can use'
        " (add for example ECDHE+AES)."
    )
    with_cbc = model.replace(aead_only, ciphers=DEFAULT_CIPHERS + ":ECDHE+AES")
    assert validate_ssl.ciphers_error(with_cbc) is None


def test_tls13_suites_are_listed_apart() -> None:
    suites = validate_ssl.tls13_suites()
    assert suites and all(s.startswith("TLS_") for s in suites)
    assert not set(suites) & set(validate_ssl.expand("DEFAULT"))
