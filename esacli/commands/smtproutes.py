"""`smtproutes` (§8.2): permanent routes from a domain to fixed hosts, `USEDNS` or `/dev/null`.

The destination syntax and the IMPORT / EXPORT text are `state.formats_routes`; this
module only asks, re-asks with the appliance's messages and stages complete results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from esacli import render_outbound, texts
from esacli.commands import _cfgfiles
from esacli.commands.base import Context
from state import formats_routes, model
from state.errors import FormatError
from state.model import Route, RouteHost
from state.validate_outbound import DEFAULT_ROUTE

MAX_ROUTES = 40000


async def run(ctx: Context, args: Sequence[str]) -> None:
    while True:
        ctx.console.say(render_outbound.routes_status(ctx.config.routes))
        op = await ctx.console.menu(texts.ROUTES_MENU)
        if op is None:
            return
        await _OPERATIONS[op](ctx)


def _stage(ctx: Context, routes: tuple[Route, ...]) -> None:
    ctx.stage(model.replace(ctx.config, routes=routes))


def _put(routes: tuple[Route, ...], route: Route) -> tuple[Route, ...]:
    if any(r.domain == route.domain for r in routes):
        return tuple(route if r.domain == route.domain else r for r in routes)
    return routes + (route,)


def find(routes: tuple[Route, ...], answer: str) -> Route | None:
    key = formats_routes.route_key(answer)
    return next((r for r in routes if r.domain == key), None)


async def _new_domain(ctx: Context) -> str | None:
    while True:
        answer = await ctx.console.ask(texts.ROUTE_NEW_DOMAIN)
        if not answer:
            return None
        key = formats_routes.route_key(answer)
        if key is None:
            ctx.console.say(texts.ROUTE_INVALID_DOMAIN.format(domain=answer))
        elif find(ctx.config.routes, key) is None:
            return key
        elif key == DEFAULT_ROUTE:
            ctx.console.say(texts.ROUTE_DEFAULT_EXISTS)
        else:
            ctx.console.say(texts.ROUTE_EXISTS.format(domain=key))


async def ask_hosts(ctx: Context, question: str,
                    existing: tuple[RouteHost, ...] = ()) -> tuple[RouteHost, ...]:
    """Destinations, re-asked with the reason until the whole list is acceptable."""
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            ctx.console.say(texts.ENTER_A_VALUE)
            continue
        try:
            return formats_routes.parse_hosts(answer, existing)
        except FormatError as exc:
            ctx.console.say(exc.message)


async def new(ctx: Context) -> None:
    if len(ctx.config.routes) >= MAX_ROUTES:
        ctx.console.say(texts.ROUTE_MAXIMUM.format(count=MAX_ROUTES))
        return
    domain = await _new_domain(ctx)
    if domain is None:
        return
    hosts = await ask_hosts(ctx, texts.ROUTE_HOSTS.format(domain=domain))
    _stage(ctx, _put(ctx.config.routes, Route(domain=domain, hosts=hosts)))


async def _existing(ctx: Context, question: str) -> Route | None:
    answer = await ctx.console.ask(question)
    if not answer:
        return None
    route = find(ctx.config.routes, answer)
    if route is None:
        ctx.console.say(texts.ROUTE_NOT_FOUND.format(domain=answer))
    return route


async def edit(ctx: Context) -> None:
    route = await _existing(ctx, texts.ROUTE_EDIT_DOMAIN)
    while route is not None:
        hosts = formats_routes.format_hosts(route.hosts)
        ctx.console.say(texts.ROUTE_CURRENT.format(domain=route.domain, hosts=hosts))
        op = await ctx.console.menu(texts.ROUTES_EDIT_MENU)
        if op is None:
            return
        if op == "ADD":
            question = texts.ROUTE_ADD_HOSTS.format(domain=route.domain)
            route = model.replace(route, hosts=await ask_hosts(ctx, question, route.hosts))
        elif op == "REPLACE":
            question = texts.ROUTE_HOSTS.format(domain=route.domain)
            route = model.replace(route, hosts=await ask_hosts(ctx, question))
        else:
            route = await _remove(ctx, route)
        _stage(ctx, _put(ctx.config.routes, route))


async def _remove(ctx: Context, route: Route) -> Route:
    while True:
        answer = await ctx.console.ask(texts.ROUTE_REMOVE_HOSTS)
        if not answer:
            return route
        try:
            gone = [formats_routes.parse_host(t.strip()) for t in answer.split(",") if t.strip()]
        except FormatError as exc:
            ctx.console.say(exc.message)
            continue
        missing = [g for g in gone if not any(_same(g, h) for h in route.hosts)]
        kept = tuple(h for h in route.hosts if not any(_same(g, h) for g in gone))
        if missing:
            host = formats_routes.format_host(missing[0])
            ctx.console.say(texts.ROUTE_HOST_NOT_FOUND.format(host=host))
        elif not kept:
            ctx.console.say(texts.ROUTE_LAST_HOST)
        else:
            return model.replace(route, hosts=kept)


def _same(a: RouteHost, b: RouteHost) -> bool:
    """A destination named without its priority still names it."""
    return a.host == b.host and a.port == b.port


async def delete(ctx: Context) -> None:
    route = await _existing(ctx, texts.ROUTE_DELETE_DOMAIN)
    if route is None:
        return
    if route.domain == DEFAULT_ROUTE and not await ctx.console.confirm(
        texts.ROUTE_RESET_DEFAULT, False
    ):
        return
    _stage(ctx, tuple(r for r in ctx.config.routes if r.domain != route.domain))


async def print_routes(ctx: Context) -> None:
    ctx.console.say(render_outbound.routes_print(ctx.config.routes))


async def import_file(ctx: Context) -> None:
    """Replaces the whole table."""
    routes = await _cfgfiles.import_table(ctx, texts.DEST_IMPORT_FILE, formats_routes.parse)
    if routes is not None:
        _stage(ctx, routes)


async def export_file(ctx: Context) -> None:
    text = formats_routes.dump(ctx.config.routes)
    await _cfgfiles.export_table(ctx, texts.DEST_EXPORT_FILE, text)


async def clear(ctx: Context) -> None:
    if await ctx.console.confirm(texts.ROUTE_CLEAR_CONFIRM, False):
        _stage(ctx, ())


_OPERATIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "NEW": new,
    "EDIT": edit,
    "DELETE": delete,
    "PRINT": print_routes,
    "IMPORT": import_file,
    "EXPORT": export_file,
    "CLEAR": clear,
}
