"""Fixtures for end-to-end tests: a real `esacli run` process on a throwaway data dir
(tests/kit/appliance.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kit.appliance import Appliance, prepared, running


@pytest.fixture
def appliance(tmp_path: Path) -> Iterator[Appliance]:
    """An appliance whose listeners are moved to free loopback ports before it boots."""
    with running(prepared(tmp_path)) as app:
        yield app


@pytest.fixture(scope="module")
def module_appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """One appliance for a whole module, for modules whose tests commit nothing."""
    with running(prepared(tmp_path_factory.mktemp("appliance"))) as app:
        yield app
