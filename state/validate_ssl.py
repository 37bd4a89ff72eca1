"""Validation of the sslconfig settings (`Config.ssl`), shared with the sslconfig dialog.

An OpenSSL cipher string is checked by handing it to `ssl.SSLContext.set_ciphers`
on a throwaway context: pure validation (no socket), and exactly the check the
engine's contexts will make, so a string the commit accepts is one the engine can
use. OpenSSL refuses a string that selects no TLS <= 1.2 cipher ("No cipher can be
selected"), which is the "empty after expansion" case.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

from state import messages
from state.errors import ConfigError
from state.messages import Message
from state.model import Config, SslDirection, TlsVersion

# Oldest first: the order in which a minimum must not pass a maximum.
VERSIONS: tuple[TlsVersion, ...] = (
    TlsVersion.TLS1_0, TlsVersion.TLS1_1, TlsVersion.TLS1_2, TlsVersion.TLS1_3,
)
# Below TLS 1.2 the handshake relies on SHA-1/MD5; OpenSSL 3 allows that only at
# security level 0 (what the engine then uses), and Python deprecates those versions.
SECURE_MINIMUM = TlsVersion.TLS1_2
# The lowest protocol OpenSSL names for a cipher usable with TLS 1.0/1.1 (CBC + SHA-1).
_BEFORE_TLS12 = ("SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1")


def rank(version: TlsVersion) -> int:
    return VERSIONS.index(version)


def is_legacy(settings: SslDirection) -> bool:
    """True when TLS 1.0 or 1.1 is allowed (insecure, for old peers only)."""
    return rank(settings.min_version) < rank(SECURE_MINIMUM)


def _selected(ciphers: str) -> list[dict[str, object]]:
    """What OpenSSL makes of the string for TLS <= 1.2 ([] when it refuses it). TLS 1.3
    suites are left out: the string does not choose them."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.set_ciphers(ciphers)
    except (ssl.SSLError, ValueError):
        return []
    return [dict(c) for c in ctx.get_ciphers() if c.get("protocol") != "TLSv1.3"]


def expand(ciphers: str) -> tuple[str, ...]:
    """The TLS <= 1.2 cipher names the string selects, in OpenSSL's preference order."""
    return tuple(str(c["name"]) for c in _selected(ciphers))


def cipher_error(ciphers: str) -> Message | None:
    """Why the cipher string is refused, or None when it is usable."""
    if not ciphers.strip() or ciphers != ciphers.strip():
        return messages.CIPHERS_INVALID(ciphers=ciphers)
    selected = _selected(ciphers)
    if not selected:
        return messages.CIPHERS_EMPTY(ciphers=ciphers)
    # NULL encryption is plain text dressed as TLS, and anonymous (aNULL) ciphers
    # send no certificate, so no Verify setting could ever hold: refuse both.
    weak = [
        str(c["name"]) for c in selected
        if c.get("symmetric") is None or c.get("auth") == "auth-null"
    ]
    if weak:
        names = ", ".join(weak[:2]) + (", ..." if len(weak) > 2 else "")
        return messages.CIPHERS_WEAK(ciphers=ciphers, names=names)
    return None


def legacy_cipher_error(settings: SslDirection) -> Message | None:
    """TLS 1.0/1.1 allowed but the string selects only TLS 1.2 ciphers (AEAD): the
    method would change nothing, so say so rather than let old peers fail unexplained."""
    if not is_legacy(settings):
        return None
    selected = _selected(settings.ciphers)
    if not selected or any(c.get("protocol") in _BEFORE_TLS12 for c in selected):
        return None  # an unusable string is cipher_error's to report
    return messages.CIPHERS_NOT_LEGACY(ciphers=settings.ciphers)


def tls13_suites() -> tuple[str, ...]:
    """The TLS 1.3 suites OpenSSL offers (not configurable here)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    return tuple(c["name"] for c in ctx.get_ciphers() if c.get("protocol") == "TLSv1.3")


def ssl_settings(config: Config) -> Iterator[ConfigError]:
    yield from direction("ssl.inbound", config.ssl.inbound)
    yield from direction("ssl.outbound", config.ssl.outbound)


def direction(path: str, settings: SslDirection) -> Iterator[ConfigError]:
    low, high = settings.min_version, settings.max_version
    if rank(low) > rank(high):
        yield ConfigError(f"{path}.min_version",
                          messages.TLS_VERSION_ORDER(low=low.value, high=high.value))
    if (message := ciphers_error(settings)) is not None:
        yield ConfigError(f"{path}.ciphers", message)


def ciphers_error(settings: SslDirection) -> Message | None:
    """Why these settings' cipher string is refused (for their versions), or None."""
    return cipher_error(settings.ciphers) or legacy_cipher_error(settings)
