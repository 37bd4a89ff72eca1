"""smtproutes -> EDIT (§8.2): one route's destinations (ADD, REPLACE, REMOVE).

Each operation stages the edited route at once; the menu comes back with the route's
destinations until an empty answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Menu, Turn, loop
from esacli.errors import format_error
from state import formats_routes, model
from state.edit import routes
from state.errors import ValueRefused
from state.model import Route, RouteHost

Operation = Callable[[Context, Route], Awaitable[None]]


def stage(ctx: Context, route: Route) -> None:
    ctx.stage(model.replace(ctx.config, routes=routes.put_route(ctx.config.routes, route)))


async def run(ctx: Context, domain: str) -> None:
    def turn() -> Turn[Operation] | None:
        route = routes.find(ctx.config.routes, domain)
        if route is None:
            return None
        hosts = formats_routes.format_hosts(route.hosts)
        header = texts.routes.ROUTE_CURRENT.format(domain=route.domain, hosts=hosts)
        return header, MENU, (ctx, route)
    await loop(ctx.console, turn)


async def ask_hosts(ctx: Context, question: str,
                    existing: tuple[RouteHost, ...] = ()) -> tuple[RouteHost, ...]:
    """Destinations, re-asked with the reason until the whole list is acceptable."""
    while True:
        answer = await ctx.console.ask(question)
        if not answer:
            ctx.console.say(texts.shell.ENTER_A_VALUE)
            continue
        try:
            return formats_routes.parse_hosts(answer, existing)
        except ValueRefused as refused:
            ctx.console.say(format_error(refused))


async def add(ctx: Context, route: Route) -> None:
    question = texts.routes.ROUTE_ADD_HOSTS.format(domain=route.domain)
    stage(ctx, model.replace(route, hosts=await ask_hosts(ctx, question, route.hosts)))


async def replace(ctx: Context, route: Route) -> None:
    question = texts.routes.ROUTE_HOSTS.format(domain=route.domain)
    stage(ctx, model.replace(route, hosts=await ask_hosts(ctx, question)))


async def remove(ctx: Context, route: Route) -> None:
    while True:
        answer = await ctx.console.ask(texts.routes.ROUTE_REMOVE_HOSTS)
        if not answer:
            return  # the route stays as it is
        try:
            stage(ctx, routes.without_hosts(route, answer))
            return
        except ValueRefused as refused:
            ctx.console.say(format_error(refused))


MENU: Menu[Operation] = Menu.of(texts.routes.ROUTES_EDIT_MENU, {
    "ADD": add, "REPLACE": replace, "REMOVE": remove,
})
