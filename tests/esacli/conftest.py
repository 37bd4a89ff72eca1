"""Fixtures for the shell tests; the helpers live in shellkit.py."""

from __future__ import annotations

from shellkit import Appliance, Chain, appliance, chain, session

__all__ = ["Appliance", "Chain", "appliance", "chain", "session"]
