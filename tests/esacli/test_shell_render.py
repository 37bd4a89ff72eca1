"""Pure rendering and answer parsing used by the dialogs."""

from __future__ import annotations

import time

import pytest

from esacli import render
from esacli.commands.listenerconfig.render import listener_list
from state import model
from state.numbers import parse_size
from state.session import Session


@pytest.mark.parametrize(("value", "shown"), [
    (10 * 1024 * 1024, "10M"), (500 * 1024, "500k"), (1000, "1000"), (1536 * 1024, "1536k"),
])
def test_size(value: int, shown: str) -> None:
    assert render.size(value) == shown
    assert parse_size(shown) == value


@pytest.mark.parametrize("answer", ["", "0", "ten", "10G", "-5", "1.5M"])
def test_unreadable_sizes(answer: str) -> None:
    assert parse_size(answer) is None


def test_lower_case_m_means_megabytes() -> None:
    assert parse_size("10m") == parse_size("10M") == 10 * 1024 * 1024


def test_date_is_ctime_style_with_padded_day() -> None:
    stamp = time.mktime((2007, 1, 1, 12, 0, 1, 0, 1, -1))
    assert render.date(stamp) == "Mon Jan 01 12:00:01 2007"


def test_no_listeners(session: Session) -> None:
    empty = model.replace(session.candidate, listeners=())
    assert listener_list(empty) == "No listeners configured."
