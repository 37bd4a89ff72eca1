"""A bracketed paste that never ends is ended before a Ctrl-C (esacli/ssh_keys.py)."""

from __future__ import annotations

import pytest

from esacli.ssh_keys import PASTE_END, PASTE_START, PasteGuard

END, START = PASTE_END, PASTE_START


@pytest.mark.parametrize(("chunks", "keys", "open_after"), [
    (["abc\x03"], "abc\x03", False),  # no paste: Ctrl-C as it is
    ([START + "x\x03"], START + "x" + END + "\x03", False),
    ([START + "x" + END + "\x03"], START + "x" + END + "\x03", False),  # ended already
    ([START + "x"], START + "x", True),
    (["\x1b[20", "0~x", "\x03"], "\x1b[200~x" + END + "\x03", False),  # mark split in two
    ([START + "a" + END + START + "b"], START + "a" + END + START + "b", True),
    (["\x1b[201~\x03"], "\x1b[201~\x03", False),  # an end without a start changes nothing
])
def test_paste_guard(chunks: list[str], keys: str, open_after: bool) -> None:
    guard = PasteGuard()
    assert "".join(guard.keys(chunk) for chunk in chunks) == keys
    assert guard.pasting is open_after
    assert guard.end() == (END if open_after else "")
    assert guard.end() == ""
