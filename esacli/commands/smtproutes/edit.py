"""smtproutes -> EDIT (§8.2): one route's destinations (ADD, REPLACE, REMOVE).

Each operation returns the edited route, which is staged at once; the menu comes back
with the route's destinations until an empty answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Menu
from esacli.errors import format_error
from state import formats_routes, model
from state.edit import routes
from state.errors import ValueRefused
from state.model import Route, RouteHost

Operation = Callable[[Context, Route], Awaitable[Route]]


def stage(ctx: Context, route: Route) -> None:
    ctx.stage(model.replace(ctx.config, routes=routes.put_route(ctx.config.routes, route)))


async def run(ctx: Context, route: Route) -> None:
    while True:
        hosts = formats_routes.format_hosts(route.hosts)
        ctx.console.say(texts.routes.ROUTE_CURRENT.format(domain=route.domain, hosts=hosts))
        item = await MENU.choose(ctx.console)
        if item is None:
            return
        route = await item.handler(ctx, route)
        stage(ctx, route)


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


async def add(ctx: Context, route: Route) -> Route:
    question = texts.routes.ROUTE_ADD_HOSTS.format(domain=route.domain)
    return model.replace(route, hosts=await ask_hosts(ctx, question, route.hosts))


async def replace(ctx: Context, route: Route) -> Route:
    question = texts.routes.ROUTE_HOSTS.format(domain=route.domain)
    return model.replace(route, hosts=await ask_hosts(ctx, question))


async def remove(ctx: Context, route: Route) -> Route:
    while True:
        answer = await ctx.console.ask(texts.routes.ROUTE_REMOVE_HOSTS)
        if not answer:
            return route
        try:
            return routes.without_hosts(route, answer)
        except ValueRefused as refused:
            ctx.console.say(format_error(refused))


MENU: Menu[Operation] = Menu.of(texts.routes.ROUTES_EDIT_MENU, {
    "ADD": add, "REPLACE": replace, "REMOVE": remove,
})
