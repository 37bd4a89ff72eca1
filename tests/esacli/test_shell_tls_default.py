"""The TLS question of a policy or sender group: "Default" is a visible choice."""

from __future__ import annotations

from esacli.commands.listenerconfig.hostaccess.params import ask_tls
from esacli.console import ScriptedConsole
from state.model import TLSMode

LIST = (
    "Do you want to allow encrypted TLS connections?\n"
    "1. No\n2. Preferred\n3. Required\n4. Preferred - Verify\n5. Required - Verify\n"
)


async def test_enter_keeps_the_default_and_the_list_says_what_it_is() -> None:
    console = ScriptedConsole([""])
    assert await ask_tls(console, None, "mailcert", inherited=TLSMode.PREFERRED) is None
    assert console.screen == f"\n{LIST}6. Default (currently: Preferred)\n[6]> \n"


async def test_a_set_value_is_shown_and_default_can_be_chosen_again() -> None:
    for answer in ("6", "default", "Default"):
        console = ScriptedConsole([answer])
        assert await ask_tls(console, TLSMode.REQUIRED, "mailcert", TLSMode.NO) is None
        assert f"6. Default (currently: No)\n[3]> {answer}\n" in console.screen


async def test_the_default_policy_itself_has_no_default_choice() -> None:
    console = ScriptedConsole([""])
    assert await ask_tls(console, TLSMode.NO, "mailcert") is TLSMode.NO
    assert console.screen == f"\n{LIST}[1]> \n"
