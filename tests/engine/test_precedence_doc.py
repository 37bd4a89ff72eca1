"""The precedence rule as the project's documentation writes it (docs/tls-policy.md) is the
pure rule (engine/outbound/precedence.py): every row of the page's table is what
`effective` decides, and the page holds every row of the test table (test_precedence.py)."""

from __future__ import annotations

from pathlib import Path

from engine.outbound.dane import TlsaState
from engine.outbound.precedence import Action, Check, Facts, Mechanism, StsMode, effective
from state.model import DaneMode, TLSMode
from tests.engine.test_precedence import ROWS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "tls-policy.md"
LEVELS = {"No": TLSMode.NO, "Preferred": TLSMode.PREFERRED, "Required": TLSMode.REQUIRED,
          "Preferred - Verify": TLSMode.PREFERRED_VERIFY,
          "Required - Verify": TLSMode.REQUIRED_VERIFY}
DANE = {"No": DaneMode.NO, "Opportunistic": DaneMode.OPPORTUNISTIC,
        "Mandatory": DaneMode.MANDATORY}
TLSA = {"usable": TlsaState.USABLE, "all unusable": TlsaState.UNUSABLE,
        "none (secure)": TlsaState.NO_RECORDS, "insecure": TlsaState.INSECURE,
        "bogus": TlsaState.BOGUS, "lookup failure": TlsaState.FAILED}
STS = {"none": StsMode.NONE, "testing": StsMode.TESTING, "enforce": StsMode.ENFORCE}
YES = {"yes": True, "no": False}
CHECKS = {"-": frozenset[Check](), "PKIX": frozenset({Check.PKIX}),
          "DANE": frozenset({Check.DANE}), "PKIX + DANE": frozenset({Check.PKIX, Check.DANE})}


def _refusal(cell: str) -> tuple[Action, str] | None:
    if cell == "-":
        return None
    action, _, kind = cell.partition(" ")
    result_type = kind.strip("()")
    return Action[action.upper()], "" if result_type == "lookup failure" else result_type


def page_rows() -> list[tuple[tuple[object, ...], tuple[object, ...]]]:
    """The rows of the page's table: (facts, decision) in the test table's shape."""
    text = PAGE.read_text(encoding="utf-8")
    table = text.split("<!-- precedence table -->", 2)[1]
    found = []
    for line in table.strip().splitlines()[2:]:
        c = [cell.strip() for cell in line.strip().strip("|").split("|")]
        given = (LEVELS[c[0]], DANE[c[1]], TLSA[c[2]], STS[c[3]], YES[c[4]])
        wanted = (Mechanism(c[5]), YES[c[6]], YES[c[7]], CHECKS[c[8]], _refusal(c[9]))
        found.append((given, wanted))
    return found


def test_every_row_of_the_page_is_the_rule() -> None:
    rows = page_rows()
    assert len(rows) >= len(ROWS)
    for (level, dane, tlsa, sts, match), wanted in rows:
        req = effective(Facts("partner.test", "mx.partner.test", level, dane, tlsa,  # type: ignore[arg-type]
                              sts=sts, sts_mx_matches=match))  # type: ignore[arg-type]
        refusal = (req.refuse.action, req.refuse.result_type) if req.refuse else None
        assert (req.decided_by, req.starttls, req.encrypt, req.checks, refusal) == wanted, level


def test_the_page_holds_the_test_table() -> None:
    assert [tuple(g) for g, _ in page_rows()] == [tuple(g) for g, _ in ROWS]
