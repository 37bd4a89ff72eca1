"""Edits of the SMTP routes (reference §8.2): at most MAX_ROUTES routes (40,000; the
commit checks it too), one per key.

A route keeps at least one destination; a destination named without its priority
still names it. `ALL` is the default route.
"""

from __future__ import annotations

from state import formats_routes, messages
from state.errors import EditRefused, ValueRefused
from state.messages import Message
from state.model import Route, RouteHost
from state.validate_outbound import DEFAULT_ROUTE, MAX_ROUTES

Routes = tuple[Route, ...]


def find(routes: Routes, answer: str) -> Route | None:
    key = formats_routes.route_key(answer)
    return next((r for r in routes if r.domain == key), None)


def room_for_one(routes: Routes) -> None:
    """EditRefused when the table is full."""
    if len(routes) >= MAX_ROUTES:
        raise EditRefused(messages.ROUTE_LIMIT(count=MAX_ROUTES))


def new_key_refusal(routes: Routes, answer: str) -> Message | None:
    """Why `answer` cannot be the domain of a new route, or None."""
    key = formats_routes.route_key(answer)
    if key is None:
        return messages.ROUTE_INVALID_DOMAIN(domain=answer)
    if find(routes, key) is None:
        return None
    if key == DEFAULT_ROUTE:
        return messages.ROUTE_DEFAULT_EXISTS()
    return messages.ROUTE_EXISTS(domain=key)


def put_route(routes: Routes, route: Route) -> Routes:
    """Replace the route of the same domain in place, or append it (room permitting)."""
    if any(r.domain == route.domain for r in routes):
        return tuple(route if r.domain == route.domain else r for r in routes)
    room_for_one(routes)
    return (*routes, route)


def remove_route(routes: Routes, domain: str) -> Routes:
    return tuple(r for r in routes if r.domain != domain)


def _same(a: RouteHost, b: RouteHost) -> bool:
    return a.host == b.host and a.port == b.port


def without_hosts(route: Route, answer: str) -> Route:
    """The route without the comma-separated destinations of `answer`; ValueRefused for
    one that is unreadable or not in the route, or when none would be left."""
    gone = [formats_routes.parse_host(t.strip()) for t in answer.split(",") if t.strip()]
    missing = [g for g in gone if not any(_same(g, h) for h in route.hosts)]
    if missing:
        host = formats_routes.format_host(missing[0])
        raise ValueRefused(messages.ROUTE_HOST_NOT_FOUND(host=host))
    kept = tuple(h for h in route.hosts if not any(_same(g, h) for g in gone))
    if not kept:
        raise ValueRefused(messages.ROUTE_LAST_HOST())
    return Route(domain=route.domain, hosts=kept)
