"""smtproutes' screens (§8.2): how many routes, and PRINT."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from state import formats_routes
from state.model import Route


def routes_status(routes: Sequence[Route]) -> str:
    if not routes:
        return texts.routes.ROUTES_NONE
    return texts.routes.ROUTES_COUNT.format(count=len(routes))


def routes_print(routes: tuple[Route, ...]) -> str:
    """PRINT: the domain column as wide as the longest domain."""
    lines = formats_routes.dump(routes).splitlines()
    pairs = [line.split(" ", 1) for line in lines]
    width = max((len(domain) for domain, _ in pairs), default=0)
    body = [f"{domain.ljust(width)}  {hosts}" for domain, hosts in pairs]
    return "\n".join([texts.routes.ROUTES_PRINT_TITLE, *body])
