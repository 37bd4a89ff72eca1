"""Fixtures for the cluster tests: a real PostgreSQL (tests/kit/pg.py) and standalone data dirs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from state import model
from tests.cluster.kit import Box, Database, new_database, standalone
from tests.kit import pg


def _server() -> Iterator[pg.PostgresServer]:
    reason = pg.available()
    if reason is not None:
        pytest.skip(reason)
    with pg.PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.PostgresServer]:
    """One server for the session; each test gets its own database (`database`)."""
    yield from _server()


@pytest.fixture
def own_pg() -> Iterator[pg.PostgresServer]:
    """A server of the test's own, for tests that stop and start it."""
    yield from _server()


@pytest.fixture
def database(pg_server: pg.PostgresServer) -> Database:
    return new_database(pg_server)


@pytest.fixture
def boxes(tmp_path: Path) -> Iterator[Callable[..., Box]]:
    """Make standalone data dirs (closed at the end of the test)."""
    made: list[Box] = []

    def make(name: str, ip: str = "127.0.0.1",
             adjust: Callable[[model.Config], model.Config] | None = None) -> Box:
        box = standalone(tmp_path, name, ip, adjust)
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()
