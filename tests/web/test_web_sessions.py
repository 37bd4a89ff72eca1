"""A web console session of `esacli run` lasts as long as the account it logged in with:
once the account is deleted (a commit from elsewhere) or its password changes, the next
page asks to log in again, as SSH refuses the next login."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from state import model
from state.bootstrap import open_data_dir
from state.model_access import Role, UserAccount
from tests.kit.appliance import Appliance, commit_change, prepared, running
from tests.kit.ports import reserve

GUEST_PW = "guest-Secret-pw"


def with_guest(config: model.Config) -> model.Config:
    return model.replace(config, users=(*config.users, UserAccount("guest", Role.GUEST, "G")))


def without_guest(config: model.Config) -> model.Config:
    return model.replace(config, users=tuple(u for u in config.users if u.name != "guest"))


def set_password(app: Appliance, password: str) -> None:
    store, secrets = open_data_dir(app.data)
    secrets.set_password(password, "guest")
    store.close()


def logged_in(app: Appliance) -> httpx.Client:
    url = re.search(r"Web console on (https://\S+)", app.console())
    assert url, app.console()
    client = httpx.Client(base_url=url.group(1), verify=False, timeout=20)
    answer = client.post("/login", data={"user": "guest", "password": GUEST_PW},
                         headers={"Origin": url.group(1)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def test_a_session_ends_with_its_account_or_its_password(tmp_path: Path) -> None:
    app = prepared(tmp_path, with_guest)
    app.args = ("--web", f"127.0.0.1:{reserve()}")
    set_password(app, GUEST_PW)
    with running(app):
        client = logged_in(app)
        try:
            assert client.get("/", follow_redirects=False).status_code == 200
            set_password(app, "another-Secret-pw")
            assert client.get("/", follow_redirects=False).headers["location"] == "/login"
        finally:
            client.close()
        set_password(app, GUEST_PW)
        client = logged_in(app)
        try:
            assert client.get("/", follow_redirects=False).status_code == 200
            commit_change(app.data, without_guest, "guest gone")
            assert client.get("/", follow_redirects=False).headers["location"] == "/login"
        finally:
            client.close()
