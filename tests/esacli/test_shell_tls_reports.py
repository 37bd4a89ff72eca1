"""The shell side of issue 13 over real TLS traffic (tests/engine/tlsstats_kit.py: clients
on several loopback addresses, MXs with a good, a wrong-name and no certificate):
`tlsreport` numbers exact per column in batch text, on a terminal and as the web page
shows them; `tlsreadiness` from the store and with live probes; the dry run of a staged
Required - Verify in `commit check` and `commit`, and `commit`'s confirmation (no,
Ctrl-C, Ctrl-D keep the changes; yes commits)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from engine.tlsstats.report import COLUMNS
from esacli.console import ScriptedConsole
from esacli.shell import Shell
from esacli.web.views import Views
from state import validate
from state.model import Certificate, Config, Route, RouteHost, TLSMode, replace
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.engine.tlsstats_kit import (
    EXPECTED_IN,
    EXPECTED_IN_TOTAL,
    EXPECTED_OUT,
    EXPECTED_OUT_TOTAL,
    HOSTS,
    KEYS,
    MX,
    MX_IPS,
    fake_mxs,
    run_traffic,
)
from tests.kit.certs import issue_certificate
from tests.kit.dnsserver import DnsServer
from tests.kit.ports import reserve, reserve_on
from tests.kit.shell import load, run_shell, transcript


@dataclass(frozen=True)
class Traffic:
    data: Path
    now: float
    mx_port: int


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(hosts=HOSTS, mx=MX) as server:
        yield server


def committable(config: Config, mx_port: int) -> Config:
    """The traffic's configuration with real ports, and routes to the MXs' port (the
    live probes go where delivery would)."""
    listeners = tuple(replace(li, port=reserve()) for li in config.listeners)
    routes = tuple(Route(domain=d, hosts=(RouteHost(host=f"mx.{d}", port=mx_port),))
                   for d in sorted(MX_IPS))
    return replace(config, listeners=listeners, routes=routes)


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory, ca: trustme.CA, dns: DnsServer) -> Traffic:
    data = tmp_path_factory.mktemp("shell-traffic")
    secrets = Secrets(data)
    cert: Certificate = issue_certificate(ca, secrets, "Test")
    asyncio.run(run_traffic(data, ca, dns, cert))
    store = Store(data)
    mx_port = reserve_on(*MX_IPS.values())
    config = committable(store.load(), mx_port)
    assert validate.validate(config, secrets) == []
    store.write(config, store.head_number(), "admin", "test", "ports and routes")
    store.close()
    return Traffic(data, time.time() + 1, mx_port)


def session(traffic: Traffic) -> Session:
    return Session(Store(traffic.data), Secrets(traffic.data), "admin", "test")


async def shell(traffic: Traffic, *lines: str) -> str:
    return await run_shell(session(traffic), [*lines, "exit"], clock=lambda: traffic.now)


LABELS = {c.key: c.label for c in COLUMNS}


def shown(values: tuple[object, ...]) -> tuple[str, ...]:
    return tuple("-" if v == "" else str(v) for v in values)


VALUE_AT = 2 + max(len(c.label) for c in COLUMNS if c.key != "domain") + 2


def records(screen: str) -> dict[str, tuple[str, ...]]:
    """The batch report's blocks: domain -> the values of KEYS, each read by its label."""
    found = {}
    for block in screen.split("\n\n"):
        head, *rows = block.splitlines() or [""]
        pairs = {r[:VALUE_AT].strip().removesuffix(":"): r[VALUE_AT:] for r in rows
                 if r.startswith("  ")}
        if LABELS["connections"] in pairs:
            found[head] = tuple(pairs[LABELS[k]] for k in KEYS)
    return found


def expected(lines: dict[str, tuple[object, ...]], total: tuple[object, ...],
             ) -> dict[str, tuple[str, ...]]:
    return {**{d: shown(v) for d, v in lines.items()}, "Total": shown(total)}


def web_cells(html: str, direction: str) -> dict[str, tuple[str, ...]]:
    """The web page's report table of `direction`: domain -> the cells of KEYS."""
    table = html.split(f'id="report-{direction}"', 1)[1].split("</table>", 1)[0]
    found = {}
    for domain, cells in re.findall(r'data-domain="([^"]*)">(.*?)</tr>', table):
        values = dict(re.findall(r'<td data-col="([^"]+)">([^<]*)</td>', cells))
        found[domain] = tuple(values[k] or "-" for k in KEYS)
    return found


def test_batch_report_is_exact_and_matches_the_web_page(traffic: Traffic) -> None:
    screen = asyncio.run(shell(traffic, "tlsreport in hour"))
    assert records(screen) == expected(EXPECTED_IN, EXPECTED_IN_TOTAL)
    screen = asyncio.run(shell(traffic, "tlsreport out day"))
    assert records(screen) == expected(EXPECTED_OUT, EXPECTED_OUT_TOTAL)
    html = Views(traffic.data, Store(traffic.data)).report("day", "", "", now=traffic.now)
    assert web_cells(html, "in") == expected(EXPECTED_IN, EXPECTED_IN_TOTAL)
    assert web_cells(html, "out") == expected(EXPECTED_OUT, EXPECTED_OUT_TOTAL)


def test_one_domain_transcript(traffic: Traffic) -> None:
    start, end = (time.strftime("%Y-%m-%d %H:%M", time.localtime(t))
                  for t in (traffic.now - 7 * 86400, traffic.now))
    screen = asyncio.run(shell(traffic, "tlsreport out week Wrong.Test."))
    assert screen == transcript(f"""
        mail.test> tlsreport out week Wrong.Test.

        TLS Connections: Outgoing, last 7 days, domain "wrong.test"
        From {start} to {end}.

        wrong.test
          Connections:               1
          Required TLS: successful:  0
          Required TLS: failed:      0
          Preferred TLS: successful: 1
          Preferred TLS: failed:     0
          TLS attempted:             1
          Unencrypted:               0
          Unencrypted: no STARTTLS:  0
          Unencrypted: fell back:    0
          % with TLS:                100.0
          Encrypted messages:        1
          Clear messages:            0
          Verified:                  0
          Not verified:              1
          Protocol versions:         TLSv1.3 1

        Total
          Connections:               1
          Required TLS: successful:  0
          Required TLS: failed:      0
          Preferred TLS: successful: 1
          Preferred TLS: failed:     0
          TLS attempted:             1
          Unencrypted:               0
          Unencrypted: no STARTTLS:  0
          Unencrypted: fell back:    0
          % with TLS:                100.0
          Encrypted messages:        1
          Clear messages:            0
          Verified:                  0
          Not verified:              1
          Protocol versions:         TLSv1.3 1

        mail.test> exit
        """)


class Terminal(ScriptedConsole):
    """A console on an 80-column terminal: the report is drawn as tables."""

    @property
    def width(self) -> int | None:
        return 80


def tables(screen: str) -> dict[str, tuple[str, ...]]:
    """Every rich table's cells: domain -> the values of KEYS, each read in its labelled row."""
    values: dict[str, dict[str, str]] = {}
    domains: list[str] = []
    by_label = {c.label: c.key for c in COLUMNS}
    for line in screen.splitlines():
        if not line.startswith("│"):
            continue
        label, *cells = (c.strip() for c in line.strip("│").split("│"))
        if label == LABELS["domain"]:
            domains = cells
        else:
            for domain, cell in zip(domains, cells, strict=True):
                values.setdefault(domain, {})[by_label[label]] = cell
    return {d: tuple(v[k] for k in KEYS) for d, v in values.items()}


def test_terminal_tables_are_exact(traffic: Traffic) -> None:
    console = Terminal(["tlsreport in hour", "exit"])
    asyncio.run(Shell(console, session(traffic), clock=lambda: traffic.now).run())
    assert tables(console.screen) == expected(EXPECTED_IN, EXPECTED_IN_TOTAL)
    assert console.screen.count("┌") == 2  # five columns do not fit in 80: two tables
    assert max(len(line) for line in console.screen.splitlines()) <= 80


def test_bad_words_are_refused(traffic: Traffic) -> None:
    screen = asyncio.run(shell(traffic, "tlsreport out 2026-13-01 2026-12-01",
                               "tlsreport out 2026-12-02 2026-12-01", "tlsreport in bad..x",
                               "tlsreport in day a.test b.test"))
    assert "Invalid date \"2026-13-01\": use YYYY-MM-DD or YYYY-MM-DD HH:MM." in screen
    assert "The range must end after it starts (2026-12-02 - 2026-12-01)." in screen
    assert 'Invalid domain "bad..x".' in screen
    assert screen.count("Usage: tlsreport") == 1


def masked(screen: str) -> str:
    """The screen with what changes from run to run (dates, the port, the test CA's
    subject names) replaced by placeholders."""
    screen = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "<date>", screen)
    screen = re.sub(r"(Days to expiry:\s+)\d+", r"\1<days>", screen)
    screen = re.sub(r"(Certificate chain:\s+).*", r"\1<chain>", screen)
    return re.sub(r"port \d+", "port <port>", screen)


async def test_readiness_with_live_probes(traffic: Traffic, ca: trustme.CA) -> None:
    async with fake_mxs(ca, traffic.mx_port):
        screen = await shell(traffic, "tlsreadiness wrong.test out", "tlsreadiness good.test out",
                             "tlsreadiness plain.test")
    assert masked(screen) == load("tls_readiness")


def staged(traffic: Traffic) -> Session:
    """A session with wrong.test staged at Required - Verify."""
    mine = session(traffic)
    dest = mine.candidate.destinations
    entries = tuple(replace(e, tls=TLSMode.REQUIRED_VERIFY) if e.domain == "wrong.test" else e
                    for e in dest.entries)
    mine.stage(replace(mine.candidate, destinations=replace(dest, entries=entries)))
    return mine


DRY_RUN = ("Warning: wrong.test: Required - Verify would have deferred 1 of 1 deliveries in the"
           " last 7 days: certificate-host-mismatch (mx.wrong.test)")
ANYWAY = ("Some deliveries or connections would have failed under the stricter TLS settings."
          " Do you want to commit these changes anyway? [N]> ")


async def test_commit_warns_and_asks(traffic: Traffic) -> None:
    mine = staged(traffic)
    head = mine.store.head_number()
    screen = await run_shell(mine, ["commit check", "commit", "", "commit", "no", "commit",
                                    ScriptedConsole.CTRL_C, "commit", ScriptedConsole.CTRL_D,
                                    "showchanges"], until_eof=True, clock=lambda: traffic.now)
    assert mine.store.head_number() == head and mine.pending
    assert screen.startswith(transcript(f"""
        mail.test> commit check

        {DRY_RUN}

        The configuration is valid. Nothing was committed.

        mail.test> commit

        {DRY_RUN}

        {ANYWAY}

        Nothing was committed. Your changes are still pending.

        mail.test> commit

        {DRY_RUN}

        {ANYWAY}no

        Nothing was committed. Your changes are still pending.

        mail.test> commit

        {DRY_RUN}

        {ANYWAY}

        mail.test> commit

        {DRY_RUN}

        {ANYWAY}

        mail.test> showchanges
        """))
    assert "'destinations.entries[wrong.test].tls': 'require_verify'" in screen
    screen = await run_shell(mine, ["commit", "yes", "wrong.test must verify", "exit"],
                             clock=lambda: traffic.now)
    assert mine.store.head_number() == head + 1 and not mine.pending
    assert f"{ANYWAY}yes\n\nPlease enter some comments describing your changes:" in screen
