"""The web console in a real headless Chromium: no page without login, a wrong password
refused, then the TLS connections report with every number exact (the same traffic as
tests/engine/test_tlsstats_traffic.py) and its charts drawn (a screenshot, its pixels
counted); the other pages; /metrics parsed by the Prometheus client's own parser."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.engine.tlsstats_kit import EXPECTED_IN, EXPECTED_OUT, KEYS
from tests.web.conftest import PASSWORD, Served

PAGES = ("/", "/readiness", "/queue", "/listeners", "/commits", "/?period=week")


def log_in(driver: Any, served: Served, password: str = PASSWORD) -> None:
    driver.get(served.url + "/login")
    driver.find_element(By.ID, "user").send_keys("admin")
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()
    # the answer may wait (failed logins before slow the next ones): wait for the next page
    WebDriverWait(driver, 40).until(
        lambda d: d.current_url == served.url + "/" or d.find_elements(By.ID, "error"))


def test_no_page_without_login(browser: Any, served: Served) -> None:
    for path in PAGES:
        browser.get(served.url + path)
        assert browser.current_url == served.url + "/login", path
    with httpx.Client(verify=False, follow_redirects=False) as client:
        for path in PAGES:
            assert client.get(served.url + path).status_code == 303
        assert client.get(served.url + "/metrics").status_code == 401
        forged = client.post(served.url + "/login", data={"user": "admin", "password": PASSWORD},
                             headers={"Origin": "https://evil.test"})
        assert forged.status_code == 403 and "esacli_session" not in forged.cookies


def test_wrong_password_is_refused(browser: Any, served: Served) -> None:
    log_in(browser, served, "not-the-password")
    assert browser.current_url == served.url + "/login"
    assert browser.find_element(By.ID, "error").text == \
        "Login failed: wrong user name or password."
    browser.get(served.url + "/")
    assert browser.current_url == served.url + "/login"
    for user in ("../secrets/admin", "nobody"):
        with httpx.Client(verify=False) as client:
            answer = client.post(served.url + "/login", data={"user": user, "password": PASSWORD},
                                 headers={"Origin": served.url})
            assert answer.status_code == 401


def cells(driver: Any, direction: str) -> dict[str, tuple[str, ...]]:
    table = driver.find_element(By.ID, f"report-{direction}")
    found = {}
    for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        domain = row.get_attribute("data-domain")
        found[domain] = tuple(row.find_element(By.CSS_SELECTOR, f'td[data-col="{k}"]').text
                              for k in KEYS)
    return found


def expected(lines: dict[str, tuple[object, ...]]) -> dict[str, tuple[str, ...]]:
    return {domain: tuple(str(v) for v in values) for domain, values in lines.items()}


def non_blank(png: bytes) -> float:
    raw = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    pixels = [raw[i:i + 3] for i in range(0, len(raw), 3)]
    coloured = sum(1 for p in pixels if max(p) - min(p) > 60)
    return coloured / len(pixels)


def test_report_numbers_and_charts(browser: Any, served: Served, tmp_path: Any) -> None:
    log_in(browser, served)
    assert browser.current_url == served.url + "/"
    inbound, outbound = cells(browser, "in"), cells(browser, "out")
    assert {k: v for k, v in inbound.items() if k != "Total"} == expected(EXPECTED_IN)
    assert {k: v for k, v in outbound.items() if k != "Total"} == expected(EXPECTED_OUT)
    chart = browser.find_element(By.ID, "chart-out-0")
    assert chart.find_elements(By.TAG_NAME, "svg")
    browser.save_screenshot(str(tmp_path / "report.png"))
    assert non_blank(chart.screenshot_as_png) > 0.005  # the green and red bars are drawn
    headers = browser.find_elements(By.CSS_SELECTOR, "#report-in thead th")
    assert headers[0].get_attribute("title").startswith("Outbound: the recipient domain.")


def test_other_pages(browser: Any, served: Served) -> None:
    log_in(browser, served)
    browser.get(served.url + "/readiness?domain=wrong.test&direction=out")
    assert browser.find_element(By.ID, "dryrun").text == (
        "wrong.test: Required - Verify would have deferred 1 of 1 deliveries in the last"
        " 7 days: certificate-host-mismatch (mx.wrong.test)")
    assert "mx.wrong.test" in browser.find_element(By.ID, "readiness").text
    browser.get(served.url + "/commits")
    assert browser.find_element(By.ID, "commits").text.count("\n") >= 1
    browser.get(served.url + "/listeners")
    assert "The engine is not running" in browser.page_source
    browser.get(served.url + "/queue")
    assert "Queue" in browser.title
    browser.find_element(By.CSS_SELECTOR, "header form button").click()  # log out
    # the POST must finish before the next page, or the session it ends still serves that page
    WebDriverWait(browser, 20).until(lambda d: d.current_url == served.url + "/login")
    browser.get(served.url + "/queue")
    assert browser.current_url == served.url + "/login"


def test_metrics_parse(served: Served) -> None:
    with httpx.Client(verify=False) as client:
        answer = client.get(served.url + "/metrics", auth=("admin", PASSWORD))
        assert answer.status_code == 200
        assert client.get(served.url + "/metrics", auth=("admin", "wrong")).status_code == 401
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    value = {f: [(s.labels, s.value) for s in families[f].samples] for f in families}
    assert value["esacli_up"] == [({}, 0.0)]  # the engine of that data dir has stopped
    assert value["esacli_config_version_committed"] == [({}, 1.0)]
    connections = {s.labels["direction"]: s.value for s in families["esacli_connections"].samples}
    assert connections == {"inbound": 6.0, "outbound": 3.0}
    outcomes = {(s.labels["direction"], s.labels["tls"], s.labels["result_type"]): s.value
                for s in families["esacli_tls_connections"].samples}
    assert outcomes[("outbound", "yes", "none")] == 2.0
    assert outcomes[("outbound", "no", "starttls-not-supported")] == 1.0
    assert outcomes[("inbound", "no", "starttls-not-supported")] == 1.0  # 530: TLS required
    assert sum(v for (d, t, _), v in outcomes.items() if d == "inbound" and t == "yes") == 2.0
