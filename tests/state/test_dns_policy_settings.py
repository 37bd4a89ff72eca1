"""The settings DANE, MTA-STS, the TLS failure action and TLS-RPT add to the model: factory
values that change nothing, versions written before them still read the same, and the
validation of the TLS-RPT settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.outbound.destinations import lookup
from state import defaults, validate
from state.model import (
    Config,
    DaneMode,
    DestinationControls,
    DestinationEntry,
    TlsFailure,
    TLSMode,
    TlsRptSettings,
    decode,
    encode,
    replace,
)
from state.secrets import Secrets


def test_factory_values_keep_todays_delivery() -> None:
    entry = lookup(DestinationControls(), "partner.test")
    assert (entry.tls, entry.dane, entry.mta_sts, entry.tls_failure) == (
        TLSMode.NO, DaneMode.NO, False, TlsFailure.DEFER,
    )
    assert Config(hostname="mail.test").tlsrpt == TlsRptSettings(enabled=False)


def test_a_version_written_before_these_settings_reads_the_same() -> None:
    tree = json.loads(encode(Config(hostname="mail.test")))
    del tree["tlsrpt"]
    for row in [tree["destinations"]["default"]]:
        for key in ("dane", "mta_sts", "tls_failure"):
            del row[key]
    old = decode(json.dumps(tree).encode())
    assert old == Config(hostname="mail.test")


def test_entries_inherit_and_override_the_default_row() -> None:
    controls = DestinationControls(
        default=replace(DestinationControls().default, dane=DaneMode.OPPORTUNISTIC,
                        mta_sts=True, tls_failure=TlsFailure.BOUNCE),
        entries=(
            DestinationEntry(domain="partner.test", dane=DaneMode.MANDATORY, mta_sts=False),
            DestinationEntry(domain="other.test", tls_failure=TlsFailure.DEFER),
        ),
    )
    partner, other, rest = (lookup(controls, d) for d in ("partner.test", "other.test", "x.test"))
    assert (partner.dane, partner.mta_sts, partner.tls_failure) == (
        DaneMode.MANDATORY, False, TlsFailure.BOUNCE)
    assert (other.dane, other.mta_sts, other.tls_failure) == (
        DaneMode.OPPORTUNISTIC, True, TlsFailure.DEFER)
    assert rest.dane is DaneMode.OPPORTUNISTIC
    assert decode(encode(Config(hostname="m.test", destinations=controls))).destinations == controls


def errors(settings: TlsRptSettings, tmp_path: Path) -> dict[str, str]:
    secrets = Secrets(tmp_path)
    config = replace(defaults.factory_config(secrets), tlsrpt=settings)
    return {e.path: e.message for e in validate.validate(config, secrets)
            if e.path.startswith("tlsrpt")}


GOOD = TlsRptSettings(enabled=True, organization="Example Corp",
                      contact="tls-reports@example.com", sender="noreply-tlsrpt@example.com")


@pytest.mark.parametrize(
    ("settings", "wanted"),
    [
        (GOOD, {}),
        (TlsRptSettings(), {}),
        (TlsRptSettings(enabled=True), {
            "tlsrpt.organization": "The organization name cannot be empty.",
            "tlsrpt.contact": "TLS reporting needs this address.",
            "tlsrpt.sender": "TLS reporting needs this address.",
        }),
        (replace(GOOD, contact="not an address"),
         {"tlsrpt.contact": 'Invalid email address "not an address".'}),
        (replace(GOOD, enabled=False, sender="a\x01b@example.com"),
         {"tlsrpt.sender": 'Invalid email address "a\x01b@example.com".'}),
        (replace(GOOD, organization="Evil\r\nBcc: x@y"),
         {"tlsrpt.organization":
          "The organization name must be printable and at most 100 characters."}),
        (replace(GOOD, organization="x" * 101),
         {"tlsrpt.organization":
          "The organization name must be printable and at most 100 characters."}),
    ],
)
def test_tlsrpt_validation(
    settings: TlsRptSettings, wanted: dict[str, str], tmp_path: Path
) -> None:
    assert errors(settings, tmp_path) == wanted
