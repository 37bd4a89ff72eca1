"""The web console tests: a data dir holding real recorded traffic (tests/engine/
tlsstats_kit.py), the console serving it on a loopback port from a thread of its own,
and Debian's Chromium driven through its chromedriver (Selenium)."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from esacli.web.service import WebService
from state.secrets import Secrets
from state.store import Store
from tests.engine.tlsstats_kit import HOSTS, MX, run_traffic
from tests.kit.certs import issue_certificate
from tests.kit.dnsserver import DnsServer

PASSWORD = "web-Secret-pw"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@dataclass
class Served:
    data: Path
    url: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, ca: trustme.CA) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("web")
    secrets = Secrets(data)
    with DnsServer(hosts=HOSTS, mx=MX) as dns:
        asyncio.run(run_traffic(data, ca, dns, issue_certificate(ca, secrets, "Test")))
    secrets.set_password(PASSWORD, "admin")
    store = Store(data)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    service = WebService(data, store, secrets, override=("127.0.0.1", 0))
    config = store.load()
    asyncio.run_coroutine_threadsafe(service.apply(config), loop).result(timeout=20)
    assert service.address is not None, "the console did not start"
    try:
        yield Served(data, f"https://127.0.0.1:{service.address[1]}")
    finally:
        asyncio.run_coroutine_threadsafe(service.close(), loop).result(timeout=20)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        store.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--ignore-certificate-errors", "--window-size=1400,3000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
