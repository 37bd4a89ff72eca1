"""certconfig's screens: the profile list, the services using profiles, custom CAs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from esacli import texts
from esacli.render import columns
from state import authorities, cert_usage, certs
from state.errors import CertError
from state.model import Certificate, Config, CustomCA


def certificate_table(certificates: Sequence[Certificate], now: dt.datetime) -> str:
    rows = [list(texts.cert.CERT_COLUMNS)]
    for cert in certificates:
        rows.append(_certificate_row(cert, now))
    return "\n".join([texts.cert.CERT_LIST_TITLE, columns(rows)])


def _certificate_row(cert: Certificate, now: dt.datetime) -> list[str]:
    try:
        info = certs.describe(certs.parse_certificate(cert.chain[0]))
    except (CertError, IndexError):
        return [cert.name, "?", "?", "Invalid", ""]
    days = texts.cert.CERT_REMAINING.format(days=info.remaining_days(now))
    return [cert.name, info.common_name, info.issuer, info.status(now), days]


def service_label(use: cert_usage.Use) -> str:
    if use.service is cert_usage.Service.LISTENER:
        return texts.cert.SERVICE_LISTENER.format(name=use.name)
    return texts.cert.SERVICE_OUTBOUND


def user_label(use: cert_usage.Use) -> str:
    if use.service is cert_usage.Service.LISTENER:
        return texts.cert.USER_LISTENER.format(name=use.name)
    return texts.cert.USER_OUTBOUND


def certificate_uses(config: Config) -> str:
    rows = [list(texts.cert.CERT_PRINT_COLUMNS)]
    for use in cert_usage.uses(config):
        rows.append([service_label(use), use.certificate])
    return columns(rows)


def authority_table(cas: Sequence[CustomCA]) -> str:
    if not cas:
        return texts.cert.CA_NONE
    rows = [list(texts.cert.CA_PRINT_COLUMNS)]
    for ca in cas:
        try:
            info = authorities.describe(ca.pem)
        except CertError:
            rows.append([ca.name, "?", "?"])
            continue
        rows.append([ca.name, info.not_after, info.fingerprint])
    return columns(rows)
