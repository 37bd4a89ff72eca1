"""`grep`, `findevent`, `logconfig`: transcripts over a mail_logs that has rolled over
once (its lines in two files), bad input re-asked, batch forms refused with their usage;
logconfig's change staged and committed like any configuration."""

from __future__ import annotations

import re
from pathlib import Path

from esacli.console import ScriptedConsole
from state.edit.logs import settings
from tests.kit.shell import LocalAppliance, load, run_shell

RDNS = "reverse dns host unknown verified no"
ROLLED = """\
Tue Dec  1 10:00:00 2026 Info: Begin Logfile
Tue Dec  1 10:00:00 2026 Info: New SMTP ICID 5 interface Main (10.0.0.1) address 10.0.0.9 {rdns}
Tue Dec  1 10:00:01 2026 Info: Start MID 6 ICID 5
Tue Dec  1 10:00:01 2026 Info: MID 6 ICID 5 From: <alice@partner.example>
""".replace("{rdns}", RDNS)
CURRENT = """\
Tue Dec  1 10:00:02 2026 Info: Begin Logfile
Tue Dec  1 10:00:02 2026 Info: MID 6 ICID 5 RID 0 To: <bob@example.com>
Tue Dec  1 10:00:02 2026 Info: MID 6 Subject 'Quarterly report'
Tue Dec  1 10:00:02 2026 Info: MID 6 ready 100 bytes from <alice@partner.example>
Tue Dec  1 10:00:02 2026 Info: Start MID 7 ICID 5
Tue Dec  1 10:00:02 2026 Info: MID 7 ICID 5 From: <alicia@partner.example>
Tue Dec  1 10:00:03 2026 Info: ICID 5 close
"""
CTRL_C, CTRL_D = ScriptedConsole.CTRL_C, ScriptedConsole.CTRL_D


def write_logs(appliance: LocalAppliance) -> Path:
    logs = appliance.store.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    (logs / "mail_logs.@20261201T100002.s").write_text(ROLLED)
    (logs / "mail_logs").write_text(CURRENT)
    return logs


async def test_grep_dialog_and_batch_forms(appliance: LocalAppliance) -> None:
    write_logs(appliance)
    lines = ["grep", "3", "1", "(", "ready|close", "", "",
             "grep -e ready -C 1 mail_logs", "grep -c -i -e BEGIN mail_logs",
             "grep -e x", "grep -e ( mail_logs", "grep -e x nosuch", "grep -e nothing mail_logs",
             "grep -e ICID -C x mail_logs", "exit"]
    assert await run_shell(appliance.session(), lines) == load("logs_grep")


async def test_findevent_dialog_and_batch_forms(appliance: LocalAppliance) -> None:
    write_logs(appliance)
    lines = ["findevent", "2", "abc", "6",
             "findevent", "1", "",
             "findevent", "1", "^<ali", "2",
             "findevent", "3", "[", "report",
             "findevent -m 6 mail_logs", "findevent -i -s QUARTERLY mail_logs",
             "findevent -f x -t y mail_logs", "findevent -m 99 mail_logs",
             "findevent -m 6 system_logs", "findevent -q mail_logs", "exit"]
    assert await run_shell(appliance.session(), lines) == load("logs_findevent")


async def test_logconfig_edit_is_staged_and_committed(appliance: LocalAppliance) -> None:
    session = appliance.session()
    lines = ["logconfig", "edit", "3", "1", "5k", "20M", "0", "many", "3", "y", "2w", "30m",
             "edit", "2", "", "1", "y", "1", "", "showchanges", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("logs_logconfig")
    assert settings(appliance.store.load(), "mail_logs").max_files == 10  # not committed
    lines = ["logconfig", "edit", "mail_logs", "20m", "3", "", "30m", ""]
    await run_shell(session, lines, until_eof=True)
    session.commit("smaller logs")
    log = settings(appliance.store.load(), "mail_logs")
    assert (log.max_size, log.max_files, log.rollover_seconds) == (20 * 1024 * 1024, 3, 1800)


async def test_ctrl_c_and_ctrl_d_at_the_log_prompts(appliance: LocalAppliance) -> None:
    """Ctrl-C leaves the dialog (nothing staged), Ctrl-D at a question too; the shell
    goes on at the prompt."""
    write_logs(appliance)
    session = appliance.session()
    lines = ["grep", "1", CTRL_C, "findevent", "2", CTRL_C, "logconfig", "edit", "1", "1M",
             CTRL_C, "grep", CTRL_D, "findevent -m 6 mail_logs", "exit"]
    screen = await run_shell(session, lines)
    assert session.candidate == appliance.store.load()
    assert screen.endswith("Info: ICID 5 close\n\nmail.example.com> exit\n")
    assert "Traceback" not in screen
    assert re.findall(r"mail\.example\.com> \S+", screen)[-2:] == [
        "mail.example.com> findevent", "mail.example.com> exit"]
