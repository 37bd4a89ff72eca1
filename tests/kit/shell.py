"""The shell in the test's own process: a real store on a tmp data dir, real sessions,
and a ScriptedConsole-backed Shell whose screen is compared exactly (transcripts).

The fixtures `appliance`, `session` and `chain` are offered to tests/esacli by its
conftest; `run_shell` serves any test that drives the shell over a Session."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from esacli.console import ScriptedConsole
from esacli.shell import Shell
from state.defaults import factory_config
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.kit import certs
from tests.kit.certs import Chain

# Fixed clock for `Changes cleared:` and the certificate list.
NOW = time.time()

@dataclass
class LocalAppliance:
    """A data dir's store and secrets, open in the test's process."""

    store: Store
    secrets: Secrets

    def session(self) -> Session:
        return Session(self.store, self.secrets, "admin", "test")

@pytest.fixture
def appliance(tmp_path: Path) -> Iterator[LocalAppliance]:
    secrets = Secrets(tmp_path)
    store = Store(tmp_path)
    # the demo certificate dated by the shell's fixed clock: it is valid at NOW however long
    # after the import the test runs
    store.write(factory_config(secrets, now=dt.datetime.fromtimestamp(NOW, dt.UTC)), None,
                "admin", "test", "factory")
    yield LocalAppliance(store, secrets)
    store.close()  # its database's three descriptors: a suite leaking them ran out of select()

@pytest.fixture
def session(appliance: LocalAppliance) -> Session:
    return appliance.session()

Run = Callable[..., "ScriptedConsole"]

async def run_shell(session: Session, lines: Sequence[str], *, until_eof: bool = False,
                    clock: Callable[[], float] = lambda: NOW) -> str:
    """Run a Shell over `session` with scripted input and return the screen.

    The script must end the session itself (e.g. with `exit`) unless `until_eof`;
    a script that runs dry inside a dialog is a test error.
    """
    console = ScriptedConsole(lines)
    await Shell(console, session, clock=clock).run()
    assert until_eof or not console.exhausted, f"script ran out:\n{console.screen}"
    assert not console.remaining, f"unused input {console.remaining}:\n{console.screen}"
    return console.screen

def transcript(text: str) -> str:
    """An expected screen written as an indented triple-quoted string.

    A `$` at the very end of a line marks a line that ends in spaces (a prompt
    answered with Enter), so the text stays readable and survives editors that
    strip trailing spaces. (`$` elsewhere, as in `$ACCEPTED`, is literal.)
    """
    return re.sub(r"\$$", "", textwrap.dedent(text).lstrip("\n"), flags=re.MULTILINE)


TRANSCRIPTS = Path(__file__).parent.parent / "esacli" / "transcripts"


def load(name: str) -> str:
    """An expected screen from transcripts/<name>.txt (same `$` convention)."""
    return re.sub(r"\$$", "", (TRANSCRIPTS / f"{name}.txt").read_text(), flags=re.MULTILINE)

def make_chain() -> Chain:
    """A chain for certconfig (certs.make_chain) on the shell tests' fixed clock."""
    return certs.make_chain(dt.datetime.fromtimestamp(NOW, dt.UTC))


@pytest.fixture(scope="session")
def chain() -> Chain:
    return make_chain()
