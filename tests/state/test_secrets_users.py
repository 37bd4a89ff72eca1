"""User names are looked up in the list of users, never made into paths (issue 8 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from state.errors import StateError
from state.secrets import Secrets


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    s = Secrets(tmp_path)
    s.set_password("right")
    (tmp_path / "secrets" / "keys" / "admin.password").write_text("planted")
    return s


@pytest.mark.parametrize("alias", ["./admin", "../secrets/admin", "keys/../admin", "keys/admin",
                                   "Admin", "admin ", "admin\x00", "", "/admin"])
def test_aliases_of_a_user_are_no_user(secrets: Secrets, alias: str) -> None:
    assert not secrets.check_password("right", alias)
    assert not secrets.has_password(alias)


def test_the_user_list(secrets: Secrets) -> None:
    assert secrets.users() == ["admin"]
    assert secrets.check_password("right", "admin")
    assert not secrets.check_password("wrong", "admin")


@pytest.mark.parametrize("bad", ["../x", "a/b", "a.b", "", "Admin", "x" * 33])
def test_no_password_is_written_for_a_name_that_is_not_a_user_name(secrets: Secrets,
                                                                      bad: str) -> None:
    with pytest.raises(StateError):
        secrets.set_password("pw", bad)
