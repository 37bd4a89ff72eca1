"""What the web console of a real `esacli run` writes into its pages from stored and typed
text: a commit comment holding ESC, BEL and U+0001 (committed over OpenSSH,
as an administrator would) and a /readiness?domain= value holding them are shown as the
shell shows them (`\\x1b`), never raw; a malformed domain is refused with the shell's
domain rule; an unknown `period=` says it is not known and which range is shown. The
appliance still serves mail and SSH afterwards."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.kit.appliance import PASSWORD, Appliance, mail_flows, prepared, running
from tests.kit.ports import reserve
from tests.kit.ssh import ssh_batch, ssh_exec
from tests.kit.waiting import wait_until

RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # controls HTML has no place for
COMMENT = "bad \x1b[31mRED\x07 \x01 comment"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    port = reserve()
    appliance = prepared(tmp_path_factory.mktemp("web-text"))
    appliance.args = ("--web", f"127.0.0.1:{port}")
    with running(appliance):
        yield appliance


@pytest.fixture(scope="module")
def client(app: Appliance) -> Iterator[httpx.Client]:
    url = re.search(r"Web console on (https://\S+)", app.console())
    assert url, app.console()
    with httpx.Client(base_url=url.group(1), verify=False, timeout=20) as logged_in:
        answer = logged_in.post("/login", data={"user": "admin", "password": PASSWORD},
                                headers={"Origin": url.group(1)}, follow_redirects=False)
        assert answer.status_code == 303
        yield logged_in


def page(client: httpx.Client, path: str) -> str:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 200, (path, answer.status_code)
    assert not RAW.search(answer.text), f"raw control characters on {path}"
    return answer.text


def test_a_commit_comment_is_shown_escaped(app: Appliance, client: httpx.Client) -> None:
    done = ssh_batch(app, ["-T"], f"sethostname mail2.example.com\ncommit\n{COMMENT}\nexit\n")
    assert done.returncode == 0, done.stdout + done.stderr
    commits = page(client, "/commits")
    assert "<td>bad \\x1b[31mRED\\x07 \\x01 comment</td>" in commits
    # the same text as the shell's own screen shows
    assert "bad \\x1b[31mRED\\x07 \\x01 comment" in ssh_exec(app, "commitdetail").stdout
    assert "mail2.example.com" in page(client, "/")  # the title: the stored host name


def test_a_domain_with_controls_is_refused_and_reflected_escaped(client: httpx.Client) -> None:
    shown = page(client, "/readiness?domain=%1b%5b2J%07x")
    assert 'value="\\x1b[2J\\x07x"' in shown
    assert 'Invalid domain &quot;\\x1b[2J\\x07x&quot;.' in shown


@pytest.mark.parametrize("typed", ["exa mple.com", "a..b", "-bad-.example", "999.999.1.1",
                                   "x" * 70])
def test_a_malformed_domain_is_refused(client: httpx.Client, typed: str) -> None:
    shown = page(client, "/readiness?" + httpx.QueryParams(domain=typed).__str__())
    assert f'<p class="error" id="error">Invalid domain &quot;{typed}&quot;.' in shown
    assert 'id="readiness"' not in shown and 'id="dryrun"' not in shown


@pytest.mark.parametrize("typed", ["Partner.Example.", "[192.0.2.1]", "1.2.3.4", "localhost"])
def test_a_domain_is_still_looked_up(client: httpx.Client, typed: str) -> None:
    shown = page(client, "/readiness?" + httpx.QueryParams(domain=typed).__str__())
    assert 'id="error"' not in shown and 'id="dryrun"' in shown


def test_an_unknown_period_is_named(client: httpx.Client) -> None:
    shown = page(client, "/?period=fortnight%07")
    assert ('The time range &quot;fortnight\\x07&quot; is not known (hour, day, week, month):'
            " the last day is shown.") in shown
    assert "Incoming connections (day)" in shown
    for known in ("week", ""):
        assert 'id="error"' not in page(client, f"/?period={known}")


def test_the_appliance_still_serves_mail_and_ssh(app: Appliance, client: httpx.Client) -> None:
    page(client, "/readiness?domain=%00%1b")
    mail_flows(app)
    assert ssh_exec(app, "status").returncode == 0


def test_a_custom_range_longer_than_the_statistics_kept_is_refused(
        app: Appliance, client: httpx.Client) -> None:
    """One GET of 1970 - 9999 built a chart point a day and took the host's memory; a year
    0001 was a traceback. Both are refused with the shell's words, at once."""
    shown = page(client, "/?start=1970-01-01&end=9999-12-31")
    assert ("The range may be at most 367 days long, as long as TLS statistics are kept"
            " (1970-01-01 - 9999-12-31). The last day is shown.") in shown
    shown = page(client, "/?start=0001-01-01&end=2026-01-01")
    assert 'Invalid date &quot;0001-01-01&quot;: use YYYY-MM-DD' in shown
    said = ssh_exec(app, "tlsreport in 0001-01-01 2026-01-01")  # the shell's, the same rule
    assert said.returncode == 1 and 'Invalid date "0001-01-01"' in said.stdout, said.stdout


def test_a_request_line_too_long_is_one_line_in_system_logs(
        app: Appliance, client: httpx.Client) -> None:
    before = app.system_logs()
    answer = client.get("/" + "x" * 9000)
    assert answer.status_code == 400
    wait_until(lambda: "aiohttp.server" in app.system_logs()[len(before):], 10,
               "the refusal in system_logs")
    added = app.system_logs()[len(before):]
    assert "Traceback" not in added and len(added.splitlines()) == 1, added
