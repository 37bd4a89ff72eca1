"""Fixtures for the engine tests: a throwaway CA, secrets, a test certificate."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from state.model import Certificate
from state.secrets import Secrets
from tests.engine.builders import CERT
from tests.helpers import issue_certificate, make_ca


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return make_ca()


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    return Secrets(tmp_path)


@pytest.fixture
def test_cert(ca: trustme.CA, secrets: Secrets) -> Certificate:
    return issue_certificate(ca, secrets, CERT)
