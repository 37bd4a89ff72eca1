"""HAT/RAT text formats (§4.6, §5): round trips, malformed files with line numbers,
sender-form syntax and the HAT/RAT checks of whole-config validation."""

from __future__ import annotations

import pytest

from state import formats, forms, validate_hat
from state.defaults import PUBLIC_DEFAULT, private_hat, public_hat, public_rat
from state.errors import FormatError
from state.model import (
    HAT,
    Behavior,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    Response,
    SenderGroup,
    TLSMode,
    replace,
)


def rich_hat() -> HAT:
    partner = PolicyParams(
        tls=TLSMode.REQUIRED_VERIFY, max_rcpts_per_hour=100,
        rate_limit_response=Response(452, "Slow down, $RemoteIP"),
        accept_response=Response(220, "Hello $Hostname\nwelcome"),
        reject_response=Response(554, 'No "thanks"'), banner_hostname="gw.example.net",
    )
    base = public_hat()
    groups = (
        SenderGroup(name="TLS_Senders", senders=("192.0.2.10", "192.0.2.0/28", ".partner.example",
                                                  "2001:db8::/32", "dnslist[bl.test]"),
                    policy="PARTNER", comment="partner (TLS)"),
        SenderGroup(name="INLINE", senders=("10.1.1.10-20",), policy="", behavior=Behavior.ACCEPT,
                    params=PolicyParams(max_rcpts_per_msg=3)),
        SenderGroup(name="", senders=("spamdomain.com",), policy="", behavior=Behavior.REJECT,
                    comment="reject the domain"),
        SenderGroup(name="", senders=("251.192.1.",), policy="", behavior=Behavior.TCPREFUSE),
        SenderGroup(name="GOON", senders=("10.",), policy="", behavior=Behavior.CONTINUE),
    )
    return replace(
        base,
        policies=(*base.policies, Policy(name="PARTNER", behavior=Behavior.ACCEPT, params=partner)),
        groups=base.groups[:2] + groups + base.groups[2:],
    )


@pytest.mark.parametrize("hat", [public_hat(), private_hat(("10.0.0.0/8", "mx.example.com")),
                                 rich_hat()])
def test_hat_round_trip(hat: HAT) -> None:
    text = formats.hat_text(hat)
    assert formats.parse_hat(text, hat.default) == hat
    assert not list(validate_hat.hat("hat", hat))


def test_appliance_export_with_foreign_keys_and_compact_rows() -> None:
    text = """# exported from an appliance
$THROTTLED
    ACCEPT {
        spam_check = "on"
        max_msgs_per_session = 10
        max_rcpts_per_hour = 1
        tls = "off"
        use_sb = "on"
    }
$BLOCKED
    REJECT
BLACKLIST:
        sbrs[-10.0:-2.5], 192.0.2.99
        $BLOCKED (Spammers are rejected)
169.254.10.10   RELAY
ALL
    $THROTTLED
"""
    hat = formats.parse_hat(text, PUBLIC_DEFAULT)
    throttled = hat.policies[0]
    assert throttled.params == PolicyParams(max_msgs_per_session=10, max_rcpts_per_hour=1,
                                            tls=TLSMode.NO)
    assert hat.groups[0].senders == ("sbrs[-10.0:-2.5]", "192.0.2.99")
    assert (hat.groups[1].senders, hat.groups[1].behavior) == (("169.254.10.10",), Behavior.RELAY)
    assert hat.groups[-1].name == "ALL"


MALFORMED = [
    ("$A\n    ACCEPT\nG:\n        10.1.1.300\n        $A\nALL\n    $A\n", 4,
     "Invalid IP or IP range"),
    ("$A\n    ACCEPT {\n        bogus = 1\n    }\nALL\n    $A\n", 3, 'Unknown key "bogus"'),
    ("$A\n    ACCEPT {\n        max_concurrency = many\n    }\nALL\n    $A\n", 3, "Invalid value"),
    ("$A\n    ACCEPT {\n        tls = \"maybe\"\n    }\nALL\n    $A\n", 3, 'Invalid "tls"'),
    ("$A\n    ACCEPT {\n        max_concurrency = 1\n", 2, "Missing closing }"),
    ("$A\n    SOMETIMES\nALL\n    $A\n", 2, "Invalid selected behavior"),
    ("$A\n    ACCEPT\nG:\n        10.1.1.1\n        $NOPE\nALL\n    $A\n", 5,
     'Unknown policy "NOPE"'),
    ("$A\n    ACCEPT\nG:\n        $A\nG:\n        $A\nALL\n    $A\n", 3,
     'Duplicate sender group "G"'),
    ("$A\n    ACCEPT\nG:\n        10.1.1.1\n        $A\n", 5, "The last entry must be ALL"),
    ("    ACCEPT\n", 1, "Unexpected indented line"),
    ("$A\n    ACCEPT {\n        smtp_banner_code = 220\n    }\nALL\n    $A\n", 3,
     '"smtp_banner_text" is missing'),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_malformed_hat_names_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError) as info:
        formats.parse_hat(text, PUBLIC_DEFAULT)
    assert info.value.line == line and message in info.value.message


def test_rat_round_trip_and_errors() -> None:
    rat = (
        *public_rat(("example.com", ".example.org"))[:-1],
        RatEntry(address="postmaster@", action=RatAction.ACCEPT, bypass_receiving_control=True),
        RatEntry(
            address="bad@example.com",
            action=RatAction.REJECT,
            response_code=550,
            response_text='5.1.1 "bad" user',
        ),
        RatEntry(address="joe@[192.0.2.1]", action=RatAction.ACCEPT),
        RatEntry(address="ALL", action=RatAction.REJECT),
    )
    assert formats.parse_rat(formats.rat_text(rat)) == rat
    assert not list(validate_hat.rat("rat", rat))
    for text, line in [("example.com ACCEPT\nfoo@@bar REJECT\nALL REJECT", 2),
                       ("example.com MAYBE\nALL REJECT", 1),
                       ("# c\nexample.com ACCEPT\nexample.com REJECT\nALL REJECT", 3),
                       ("example.com ACCEPT\n", 1)]:
        with pytest.raises(FormatError) as info:
            formats.parse_rat(text)
        assert info.value.line == line


SENDER_FORMS = [
    ("192.0.2.10", "ipv4"), ("10.2.3.", "ipv4"), ("10.2", "ipv4"), ("10.1.1.10-20", "ipv4"),
    ("10.1.1-5.", "ipv4"), ("192.0.2.0/28", "ipv4"), ("10/8", "ipv4"), ("2001:db8::1", "ipv6"),
    ("2001:db8::/32", "ipv6"), ("2001:db8::10-1f", "ipv6"), ("mx.partner.example", "host"),
    (".partner.example", "domain"), ("SBRS[-10:-3.0]", "sbrs"), ("sbrs[none]", "sbrs"),
    ("SBO:12345", "sbo"), ("dnslist[bl.test]", "dnslist"), ("ALL", "all"),
    ("10.1.1.300", None), ("10.1.1.20-10", None), ("1.2.3.4.5", None), ("10.1.1.0/33", None),
    ("10.1.1.1.", None), ("sbrs[5:1]", None), ("sbrs[-11:0]", None), ("dnslist[]", None),
    ("two words", None), ("a,b", None), ("::zz", None), ("", None), ("-bad-.example", None),
]


@pytest.mark.parametrize(("form", "kind"), SENDER_FORMS)
def test_sender_kinds(form: str, kind: str | None) -> None:
    assert forms.sender_kind(form) == kind


@pytest.mark.parametrize(("address", "ok"), [
    ("example.com", True), (".example.com", True), ("postmaster@", True),
    ("joe@example.com", True), ("joe@[1.2.3.4]", True), ("ALL", True), ("all", True),
    ("joe@[1.2.3]", False), ("@example.com", False), ("exa mple.com", False), ("", False),
])
def test_rat_addresses(address: str, ok: bool) -> None:
    assert forms.rat_address_ok(address) is ok


def test_hat_validation_reports_every_problem() -> None:
    hat = replace(public_hat(), groups=(
        SenderGroup(name="A", senders=("10.1.1.300", "ALL"), policy="NOPE"),
        SenderGroup(name="A", senders=("10.",), policy=""),
        SenderGroup(name="B", senders=("10.",), policy="", behavior=Behavior.ACCEPT,
                    params=PolicyParams(accept_response=Response(554, "x"))),
    ))
    messages = [e.message for e in validate_hat.hat("hat", hat)]
    assert 'Invalid IP or IP range: "10.1.1.300"' in messages
    assert 'Invalid IP or IP range: "ALL"' in messages
    assert 'Unknown policy "NOPE".' in messages
    assert 'The name "A" is used more than once.' in messages
    assert "Select a behavior or a policy." in messages
    assert "Invalid SMTP code 554." in messages
    assert "The last sender group must be ALL." in messages
