"""Fixtures for the shell tests; the helpers live in tests/kit/shell.py."""

from __future__ import annotations

from tests.kit.shell import appliance, chain, session

__all__ = ["appliance", "chain", "session"]
