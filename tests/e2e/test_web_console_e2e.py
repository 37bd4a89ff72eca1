"""The web console of a real `esacli run`: `--web IP:PORT` serves it (the console says
where), the admin logs in, the report and /metrics come from the running engine; garbage
and oversized requests are refused without harm; without the flag it follows the
committed `web` settings (on at a commit, off at the next)."""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from state import model
from tests.kit.appliance import PASSWORD, Appliance, commit_change, prepared
from tests.kit.ports import accepts, reserve
from tests.kit.waiting import wait_until


def commit_web(app: Appliance, web: model.WebConsole) -> None:
    commit_change(app.data, lambda config: model.replace(config, web=web), "web console")


def test_esacli_run_web_serves_the_console(tmp_path: object) -> None:
    port = reserve()
    app = prepared(tmp_path)  # type: ignore[arg-type]
    app.args = ("--web", f"127.0.0.1:{port}")
    app.start()
    url = f"https://127.0.0.1:{port}"
    try:
        assert f"Web console on https://127.0.0.1:{port}" in app.console()
        with httpx.Client(verify=False, timeout=10) as client:
            assert client.get(url + "/", follow_redirects=False).status_code == 303
            form = {"Origin": url, "Content-Type": "application/x-www-form-urlencoded"}
            assert client.post(url + "/login", content=b"user=" + b"x" * 20000,
                               headers=form).status_code == 413
            assert client.post(url + "/login", content=b"\xff\x00%%%",
                               headers=form).status_code in (400, 401)
            assert client.get(url + "/login").status_code == 200
            answer = client.post(url + "/login", data={"user": "admin", "password": PASSWORD},
                                 headers={"Origin": url}, follow_redirects=False)
            assert answer.status_code == 303
            cookie = answer.headers["set-cookie"]
            assert re.search(r"esacli_session=[\w-]+;", cookie)
            assert all(flag in cookie for flag in ("HttpOnly", "Secure", "SameSite=Strict"))
            page = client.get(url + "/")
            assert page.status_code == 200 and "Incoming connections (day)" in page.text
            assert "script" not in page.headers["content-security-policy"].split("default-src")[0]
            listeners = client.get(url + "/listeners").text
            assert "InboundMail" in listeners and "running" in listeners
            scrape = client.get(url + "/metrics", auth=("admin", PASSWORD)).text
        samples = {s.name: s.value for f in text_string_to_metric_families(scrape)
                   for s in f.samples}
        assert samples["esacli_up"] == 1.0
        assert samples["esacli_config_version_applied"] == 2.0
        assert "esacli_deferrals_total" in samples and "esacli_queue_messages" in samples
    finally:
        app.stop()


def test_the_console_follows_the_committed_settings(tmp_path: object) -> None:
    app = prepared(tmp_path)  # type: ignore[arg-type]
    app.start()
    port = reserve()
    try:
        assert "Web console" not in app.console()
        commit_web(app, model.WebConsole(enabled=True, ip="127.0.0.1", port=port))
        wait_until(lambda: accepts(port), what="the console to listen after the commit")
        commit_web(app, model.WebConsole(enabled=False, ip="127.0.0.1", port=port))
        wait_until(lambda: not accepts(port), what="the console to stop after the commit")
        assert accepts(app.inbound)  # mail never stopped
    finally:
        app.stop()
