"""The parameter table (state.policy_params) is the only place a policy parameter's range
is written: change one row's range and the dialog's re-ask, the batch form, IMPORT and
validation all follow."""

from __future__ import annotations

import dataclasses

import pytest

from esacli.commands.listenerconfig.hostaccess import params as dialog
from esacli.console import ScriptedConsole
from state import formats, model, policy_params, validate_hat
from state.errors import FormatError
from state.numbers import Range
from state.session import Session
from tests.kit.shell import run_shell

NARROW = Range(1, 7)


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """max_concurrency limited to 1-7, in the table and nowhere else."""
    rows = tuple(dataclasses.replace(row, allowed=NARROW) if row.field == "max_concurrency"
                 else row for row in policy_params.PARAMS)
    monkeypatch.setattr(policy_params, "PARAMS", rows)


def hat_with(concurrency: int) -> str:
    return f"$P\n    ACCEPT {{\n        max_concurrency = {concurrency}\n    }}\nALL\n    $P\n"


async def dialog_screen(session: Session, answer: str) -> tuple[str, int | None]:
    """The DEFAULT policy dialog of InboundMail, answering `answer` for the concurrency."""
    listener = model.by_name(session.candidate.listeners, "InboundMail")
    assert listener is not None
    # size, concurrency (then 7 if re-asked), messages, recipients, banner, accept,
    # reject, rate limit, TLS
    console = ScriptedConsole(["", answer, "7", "", "", "n", "n", "n", "n", ""])
    chosen = await dialog.dialog(console, listener.hat.default, listener)
    return console.screen, chosen.max_concurrency


async def batch_screen(session: Session, concurrency: int) -> str:
    line = f"listenerconfig edit InboundMail hostaccess default --max_conn={concurrency}"
    return await run_shell(session, [line, "clear", "y", "exit"])


def refused_by_validation(concurrency: int) -> list[str]:
    params = model.replace(policy_params_default(), max_concurrency=concurrency)
    return [e.message for e in validate_hat.params("p", params, complete=True)]


def policy_params_default() -> model.PolicyParams:
    return model.PolicyParams(max_message_size=1000, max_concurrency=1, max_msgs_per_session=1,
                              max_rcpts_per_msg=1, tls=model.TLSMode.NO)


async def test_the_table_as_shipped_takes_eight(session: Session) -> None:
    screen, chosen = await dialog_screen(session, "8")
    assert chosen == 8 and "integer from" not in screen
    assert "Changes cleared" in await batch_screen(session, 8)  # staged, then cleared
    assert formats.parse_hat(hat_with(8), model.PolicyParams()).policies[0].params == (
        model.PolicyParams(max_concurrency=8))
    assert refused_by_validation(8) == []


@pytest.mark.usefixtures("narrow")
async def test_one_range_changed_in_the_table_changes_all_four(session: Session) -> None:
    screen, chosen = await dialog_screen(session, "8")
    assert "The value must be an integer from 1 to 7." in screen and chosen == 7
    assert 'Invalid "max_conn" value: 8' in await batch_screen(session, 8)
    with pytest.raises(FormatError, match='Invalid "max_concurrency" value: 8'):
        formats.parse_hat(hat_with(8), model.PolicyParams())
    assert refused_by_validation(8) == ["The value must be an integer from 1 to 7."]
    assert refused_by_validation(7) == []
