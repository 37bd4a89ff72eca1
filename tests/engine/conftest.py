"""Fixtures for the engine tests: secrets and a test certificate (the CA, `ca`, is the
suite's: tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from state.model import Certificate
from state.secrets import Secrets
from tests.engine.builders import CERT
from tests.kit.certs import issue_certificate


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    return Secrets(tmp_path)


@pytest.fixture
def test_cert(ca: trustme.CA, secrets: Secrets) -> Certificate:
    return issue_certificate(ca, secrets, CERT)
