"""The plain address form (engine/addrspec.py) and the two readers that trust it: what
is plain is read and sent unchanged by the RFC 5322 parsers they would otherwise ask."""

from __future__ import annotations

from email._header_value_parser import get_angle_addr

from aiosmtplib.email import quote_address
from hypothesis import given
from hypothesis import strategies as st

from engine.addrspec import is_plain
from engine.outbound.addresses import unsendable

ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
candidates = st.tuples(st.text(ATEXT + ".", min_size=1, max_size=12),
                       st.text("abz09-.", min_size=1, max_size=12)).map("@".join)


def test_plain_and_not() -> None:
    assert is_plain("a.b+c@d-e.test") and is_plain("x@localhost")
    for address in ("a..b@c", ".a@c", "a.@c", "a@-c", "a@c.", "a@c..d", "a@b@c", "a",
                    "@c", "a@", '"q"@c', "a b@c", "caf\u00e9@c"):
        assert not is_plain(address), address


@given(candidates)
def test_a_plain_address_is_what_the_parsers_read(address: str) -> None:
    if not is_plain(address):
        return
    assert quote_address(address) == f"<{address}>"
    assert get_angle_addr(f"<{address}>")[0].addr_spec == address
    assert unsendable(address) is None
