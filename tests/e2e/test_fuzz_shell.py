"""Hostile input at every top-level command (issue 8): over OpenSSH with a pty and on the
local console (`esacli shell` on a pty), a seeded generator types lines of look-alike
digits, escape sequences (colour codes, mouse and cursor reports, bracketed pastes, window
titles), control characters and huge lines, at the top prompt, inside each command's
dialog and as its arguments. Nothing may show a traceback (the screens, the appliance's
output), and the appliance serves mail and SSH afterwards.

Every line ends with `#²` typed last, so no line can be an answer that does something
(`y`, a menu name, a number): the fuzzer never commits, rolls back or deletes anything.
Each step ends with Ctrl-C and a marker line (an unknown command) whose message shows the
session is back at the top prompt.
"""

from __future__ import annotations

import io
import random
import re
import threading
import time

import pexpect
import pytest

from esacli.commands import COMMANDS
from tests.kit.appliance import Appliance, mail_flows
from tests.kit.ssh import ANSI, PROMPT, console_shell, no_traceback, ssh_login

SEED = 8
BUDGET = 20.0  # seconds per session (a whole round takes ~12 s); each step has a timeout too
LOOK_ALIKES = "²³¹①⑳٣۴߂०১๓𝟘𝟙Ⅻ½⁴₇〇"
ESCAPES = [
    "\x1b[31m", "\x1b[0m", "\x1b[1;32m", "\x1b[5M", "\x1b[2m", "\x1b[Mabc", "\x1b[<0;3;4M",
    "\x1b[<64;85;12m", "\x1b[96;14;13M", "\x1b[12;4R", "\x1b]0;title\x07", "\x1b[?1049h",
    "\x1b[?2004l", "\x1b[A", "\x1b[D", "\x1bOA", "\x1b[3~", "\x1b[15~", "\x1bx", "\x1b\x1b",
    "\x1b[200~pasted\rtwo lines\x1b[201~", "\x1bP1$r\x1b\\", "\x1b[6n", "\x1b[c",
]
# Control characters, less Ctrl-C / Ctrl-D (the driver's own) and the line ends.
CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\x03\x04\r\n"] + ["\x7f"]
PRINTABLE = "abcXYZ019 -_.,:;/@#%&*()[]{}<>'\"\\|~^`=+?!$é∂漢🙂\u200b\u202e\ufeff"
END = "#²"  # typed last on every line: see the module's docstring
MARKER = "Unknown command or missing feature key: fuzzmark{n}"
FAULT = "An application fault occurred"


def hostile(rng: random.Random) -> str:
    """One line: a look-alike digit first, then a mix, then END; sometimes huge, sometimes
    look-alike digits alone (some, like `٣`, are digits to int(): a number is a safe
    answer, as nothing is done without a `y`)."""
    chance = rng.random()
    if chance < 0.01:
        return rng.choice(LOOK_ALIKES) + "9" * rng.choice([5_000, 70_000]) + END
    if chance < 0.15:
        return "".join(rng.choice(LOOK_ALIKES) for _ in range(rng.randint(1, 3)))
    parts = [rng.choice(LOOK_ALIKES)]
    for _ in range(rng.randint(0, 12)):
        kind = rng.random()
        pool = ESCAPES if kind < 0.3 else CONTROLS if kind < 0.5 else LOOK_ALIKES if kind < 0.65 \
            else PRINTABLE
        parts.append(rng.choice(pool))
    return "".join(parts) + END


def commands() -> list[tuple[str, bool]]:
    """(name, takes arguments) for every top-level command but exit; commit first, while
    nothing is staged (afterwards a hostile line could become a commit comment)."""
    table = [(c.name, c.takes_args) for c in COMMANDS] + [("help", True)]
    return sorted(table, key=lambda entry: entry[0] != "commit")


class Fuzzer:
    def __init__(self, child: pexpect.spawn, rng: random.Random) -> None:
        self.child = child
        self.rng = rng
        self.log = io.StringIO()
        child.logfile_read = self.log
        self.marks = 0

    def step(self, first: str, lines: int) -> None:
        """`first`, then hostile lines, then Ctrl-C until the top prompt shows the marker."""
        self.child.send(first + "\r")
        for _ in range(lines):
            self.child.send(hostile(self.rng) + "\r")
        self.marks += 1
        self.child.send("\x03\x03\x03")
        self.child.send(f"fuzzmark{self.marks}\r")
        self.child.expect_exact(MARKER.format(n=self.marks), timeout=30)

    def run(self, budget: float) -> str:
        start = time.monotonic()
        deadline = start + budget
        for name, takes_args in commands():
            self.step(hostile(self.rng), 0)  # at the top prompt
            self.step(name, 3)  # inside its dialog
            if takes_args:
                self.step(f"{name} {hostile(self.rng)}", 2)
            if time.monotonic() > deadline:
                break
        self.child.send("exit\r")
        self.child.expect_exact("exit")
        text = ANSI.sub("", self.log.getvalue())
        faults = re.findall(FAULT + r" \((\w+)\)", text)
        print(f"{self.marks} steps in {time.monotonic() - start:.1f} s; application faults: "
              f"{faults}")
        return text


def leave(child: pexpect.spawn) -> None:
    """After `exit`: confirm if something was staged, then the session ends."""
    if child.expect([r"Are you sure you wish to exit\?", pexpect.EOF], timeout=20) == 0:
        child.sendline("y")
        child.expect(pexpect.EOF, timeout=20)




@pytest.fixture(scope="module")
def screens(module_appliance: Appliance) -> dict[str, str]:
    """Fuzz an SSH session and a console session at the same time; their screens."""
    console = console_shell(module_appliance)
    console.expect_exact(PROMPT)
    children = {"ssh": ssh_login(module_appliance), "console": console}
    shown: dict[str, str] = {}
    failures: list[BaseException] = []

    def fuzz(where: str, seed: int) -> None:
        try:
            shown[where] = Fuzzer(children[where], random.Random(seed)).run(BUDGET)
            leave(children[where])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=fuzz, args=(where, SEED + n))
               for n, where in enumerate(children)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BUDGET + 60)
    if failures:
        raise failures[0]
    return shown


def test_no_traceback_anywhere_and_the_appliance_serves(module_appliance: Appliance,
                                                         screens: dict[str, str]) -> None:
    for where, text in screens.items():
        no_traceback(text, f"the {where} screen")
    mail_flows(module_appliance)
    ssh_login(module_appliance).sendline("exit")
    no_traceback(module_appliance.console(), "the appliance's output")
    assert module_appliance.proc is not None and module_appliance.proc.poll() is None


def test_no_application_fault(screens: dict[str, str]) -> None:
    for where, text in screens.items():
        assert FAULT not in text, f"{where}: {text[text.index(FAULT) - 300:][:600]}"
