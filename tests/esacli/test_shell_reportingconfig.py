"""reportingconfig: SETUP (days of TLS statistics kept, downgrade alerts) and WEBCONSOLE
(on or off, address, port) as a transcript with out-of-range answers asked again; the
one-line forms and their refusals; Ctrl-C / Ctrl-D inside the dialog stage nothing."""

from __future__ import annotations

import pytest

from esacli.console import ScriptedConsole
from tests.kit.shell import LocalAppliance, run_shell, transcript

MENU = """\
Choose the operation you want to perform:
- SETUP - Configure the TLS statistics (days kept, downgrade alerts).
- WEBCONSOLE - Configure the read-only web console."""


def status(days: int, alerts: str, web: str) -> str:
    return (f"TLS statistics are kept for {days} days (hourly for the last 7 days).\n"
            f"TLS downgrade alerts: {alerts}.\nWeb console: {web}.")


async def test_dialog_transcript_and_commit(appliance: LocalAppliance) -> None:
    session = appliance.session()
    screen = await run_shell(session, [
        "reportingconfig", "setup", "0", "٣", "400", "10", "n",
        "webconsole", "y", "1.2.3", "127.0.0.2", "99999", "8444", "",
        "commit", "reporting", "exit"])
    head = appliance.store.load()
    assert (head.reporting.tls_stats_days, head.reporting.downgrade_alerts) == (10, False)
    assert (head.web.enabled, head.web.ip, head.web.port) == (True, "127.0.0.2", 8444)
    assert screen.split("mail.example.com> commit")[0] == transcript("""
        mail.example.com> reportingconfig

        {s1}

        {menu}
        []> setup

        Enter the number of days to keep TLS statistics.
        [30]> 0

        The value must be an integer from 1 to 366.

        Enter the number of days to keep TLS statistics.
        [30]> ٣

        The value must be an integer from 1 to 366.

        Enter the number of days to keep TLS statistics.
        [30]> 400

        The value must be an integer from 1 to 366.

        Enter the number of days to keep TLS statistics.
        [30]> 10

        Do you want to send an alert when a partner's TLS gets weaker? [Y]> n

        {s2}

        {menu}
        []> webconsole

        Do you want to enable the web console? [N]> y

        Enter the IP address the web console listens on.
        [127.0.0.1]> 1.2.3

        Invalid IP address '1.2.3'

        Enter the IP address the web console listens on.
        [127.0.0.1]> 127.0.0.2

        Enter the port the web console listens on.
        [8443]> 99999

        The value must be an integer from 1 to 65535.

        Enter the port the web console listens on.
        [8443]> 8444

        {s3}

        {menu}
        []> $

        """).format(s1=status(30, "enabled", "disabled"), s2=status(10, "disabled", "disabled"),
                    s3=status(10, "disabled", "enabled on https://127.0.0.2:8444/"), menu=MENU)


async def test_one_line_forms(appliance: LocalAppliance) -> None:
    session = appliance.session()
    screen = await run_shell(session, [
        "reportingconfig setup 7 yes", "reportingconfig setup 367 yes",
        "reportingconfig setup 7 maybe", "reportingconfig webconsole enable 10.0.0.1 8443",
        "reportingconfig webconsole enable ::1 0", "reportingconfig webconsole enable x 1",
        "reportingconfig webconsole disable", "reportingconfig bogus", "exit", "y"])
    config = session.candidate
    assert config.reporting.tls_stats_days == 7 and not config.web.enabled
    assert config.web.ip == "10.0.0.1"
    assert screen.count("The value must be an integer from 1 to 366.") == 1
    assert screen.count("The value must be an integer from 1 to 65535.") == 1
    assert "Invalid IP address 'x'" in screen
    assert screen.count("Usage: reportingconfig setup <days>") == 2  # "maybe", "bogus"


@pytest.mark.parametrize("key", [ScriptedConsole.CTRL_C, ScriptedConsole.CTRL_D])
async def test_ctrl_c_and_ctrl_d_stage_nothing(appliance: LocalAppliance, key: str) -> None:
    session = appliance.session()
    await run_shell(session, ["reportingconfig", "setup", "5", key,
                              "reportingconfig", "webconsole", "y", "127.0.0.3", key, "exit"])
    assert not session.pending
