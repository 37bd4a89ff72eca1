"""listenerconfig NEW's first RAT entries follow RCPTACCESS NEW's rule (state/edit/rat.py):
what `address_refusal` refuses for one entry, `accepted_refusal` refuses in the list."""

from __future__ import annotations

import pytest

from state import messages
from state.defaults import public_rat
from state.edit import rat


@pytest.mark.parametrize(("answer", "addresses"), [
    ("example.com, joe@[1.2.3.4], ,,.x", ("example.com", "joe@[1.2.3.4]", ".x")),
    ("Example.COM, example.com, postmaster@", ("example.com", "postmaster@")),
    (" , ,", ()),
])
def test_the_answer_is_split_and_normalised_as_new_entries_are(
        answer: str, addresses: tuple[str, ...]) -> None:
    assert rat.accepted_addresses(answer) == addresses


@pytest.mark.parametrize("bad", ["@@", "a@@b", "joe@[1.2.3]", "exa mple.com", "ALL"])
def test_an_entry_rcptaccess_new_refuses_is_refused_with_its_message(bad: str) -> None:
    refusal = rat.accepted_refusal(("example.com", bad))
    assert refusal is not None
    assert refusal == rat.address_refusal(public_rat(()), bad)


def test_valid_entries_and_an_empty_list() -> None:
    assert rat.accepted_refusal(("example.com", ".example.org", "joe@[1.2.3.4]")) is None
    empty = rat.accepted_refusal(())
    assert empty is not None and empty.code == messages.ENTER_A_VALUE().code
