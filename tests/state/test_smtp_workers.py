"""How many SMTP workers: listener_setup.smtp_workers (its range in state/ranges.py) and
`esacli run --workers`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from esacli.supervisor import worker_count
from state import defaults, validate
from state.model import replace
from state.secrets import Secrets


def workers_errors(count: int, tmp_path: Path) -> list[str]:
    secrets = Secrets(tmp_path)
    config = defaults.factory_config(secrets)
    config = replace(config, listener_setup=replace(config.listener_setup, smtp_workers=count))
    return [e.message for e in validate.validate(config, secrets)
            if e.path == "listener_setup.smtp_workers"]


@pytest.mark.parametrize("count", [0, 1, 256])
def test_counts_in_range_are_accepted(count: int, tmp_path: Path) -> None:
    assert workers_errors(count, tmp_path) == []


@pytest.mark.parametrize("count", [-1, 257])
def test_counts_out_of_range_are_refused(count: int, tmp_path: Path) -> None:
    assert workers_errors(count, tmp_path) == ["The value must be an integer from 0 to 256."]


def test_the_flag_then_the_setting_then_one_per_core(tmp_path: Path) -> None:
    config = defaults.factory_config(Secrets(tmp_path))
    three = replace(config, listener_setup=replace(config.listener_setup, smtp_workers=3))
    assert worker_count(three, 2) == 2
    assert worker_count(three, None) == 3
    assert worker_count(config, None) == len(os.sched_getaffinity(0))
    assert worker_count(None, None) == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("text", ["0", "257", "two", "-1"])
def test_run_refuses_a_bad_worker_count(text: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "esacli", "run", "--data", str(tmp_path),
                           "--workers", text], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"expected a number of SMTP workers from 1 to 256, got {text!r}" in done.stderr
    assert "Traceback" not in done.stderr
