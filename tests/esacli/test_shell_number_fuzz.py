"""Hostile answers to every dialog: digit lookalikes, huge numbers, bad ranges (issue 8).

A seeded generator (the same scripts every run) feeds each top-level command lines
drawn from operation names, numbers, and the inputs that once crashed dialogs. No
script may produce an application fault; each run is bounded in lines and time.
"""

from __future__ import annotations

import logging
import random
import time

import pytest

from esacli.commands import COMMANDS
from esacli.console import ScriptedConsole
from esacli.shell import Shell
from tests.kit.shell import LocalAppliance

HOSTILE = ["²", "①", "٣", "⁵", "１", "1²", "99999999999999999999", "1" * 60, "0", "-1", "+5",
           "1_000", "1e3", "nan", "10.0.0.0/²", "10.0.0.0/99", "fe80::1%eth0", "1.2.3",
           "sbrs[٣:5]", "mx.test:²", "x" * 300, " ", "\t"]
WORDS = ["new", "edit", "delete", "setup", "default", "limits", "interface", "hostaccess",
         "rcptaccess", "certificate", "certauthority", "custom", "import", "print", "move",
         "policy", "InboundMail", "OutboundMail", "partner.example", "dest.txt", "y", "n", "",
         "", "", "1", "2", "3", "4", "5", "6", "25", "2600", "10M", "Default"]
# tlsverify probes real domains over DNS: not a dialog, nothing to fuzz here.
FUZZED = [c.name for c in COMMANDS if c.name != "tlsverify"]
RUNS, LINES, BUDGET = 40, 60, 4.0  # per command


@pytest.mark.parametrize("command", FUZZED)
async def test_no_answer_makes_a_dialog_fault(appliance: LocalAppliance, command: str,
                                              caplog: pytest.LogCaptureFixture) -> None:
    chooser = random.Random(f"issue-8-{command}")
    started = time.monotonic()
    for _ in range(RUNS):
        if time.monotonic() - started > BUDGET:
            break
        lines = [command] + [chooser.choice(HOSTILE if chooser.random() < 0.4 else WORDS)
                             for _ in range(LINES)]
        console = ScriptedConsole(lines)
        with caplog.at_level(logging.ERROR):
            await Shell(console, appliance.session()).run()
        assert "application fault" not in console.screen, console.screen[-3000:]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], lines
