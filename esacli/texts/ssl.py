"""CLI texts: sslconfig (§8.1): TLS versions and ciphers.

The status keys (`Inbound SMTP method:` ...), the menu lines and the INBOUND/OUTBOUND
questions are [T]; the method list's layout and the VERIFY output are [M] (the
reference only says releases 11.x-15.x offer TLS 1.0-1.3 as multi-version choices).
Method labels are built from the versions: "TLS v1.2 and v1.3", "TLS v1.3",
"TLS v1.0 to v1.3 (not recommended)".
"""

from __future__ import annotations

from typing import Final

SSL_SETTINGS: Final = "sslconfig settings:"
SSL_METHOD_LINE: Final = "  {direction} SMTP method: {method}"
SSL_CIPHERS_LINE: Final = "  {direction} SMTP ciphers:"
SSL_CIPHER_ITEM: Final = "      {element}"
SSL_INBOUND: Final = "Inbound"
SSL_OUTBOUND: Final = "Outbound"
SSL_MENU: Final = {
    "INBOUND": "Edit Inbound SMTP ssl settings.",
    "OUTBOUND": "Edit Outbound SMTP ssl settings.",
    "VERIFY": "Verify and show ssl cipher list.",
}
# {direction} is "inbound" or "outbound"
SSL_METHOD_QUESTION: Final = "Enter the {direction} SMTP ssl method you want to use."
SSL_CIPHER_QUESTION: Final = "Enter the {direction} SMTP ssl cipher you want to use."
SSL_METHOD_ONE: Final = "TLS v{version}"
SSL_METHOD_TWO: Final = "TLS v{low} and v{high}"
SSL_METHOD_RANGE: Final = "TLS v{low} to v{high}"
SSL_NOT_RECOMMENDED: Final = " (not recommended)"
SSL_LEGACY_WARNING: Final = (
    "Warning: TLS v1.0 and v1.1 are insecure; allow them only for peers that cannot use\n"
    "TLS v1.2. Allowing them also lowers OpenSSL's security level (weaker keys and\n"
    "signatures are accepted) for every {direction} SMTP connection."
)
SSL_VERIFY_QUESTION: Final = "Enter the ssl cipher you want to verify."
SSL_VERIFY_TLS12: Final = "Ciphers selected for TLS v1.2 and below:"
SSL_VERIFY_TLS13: Final = "TLS v1.3 cipher suites (chosen by OpenSSL, not by the cipher string):"
