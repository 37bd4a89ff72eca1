"""`smtproutes` (§8.2): permanent routes from a domain to fixed hosts, `USEDNS` or `/dev/null`.

The destination syntax and the IMPORT / EXPORT text are `state.formats_routes`, what a
route table may hold (one route per key, the route limit) `state.edit.routes`; this
module only asks, re-asks with the appliance's messages and stages complete results.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from esacli import texts
from esacli.commands import config_files, value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.commands.smtproutes import edit as route_edit
from esacli.commands.smtproutes.render import routes_print, routes_status
from state import formats_routes, model
from state.edit import routes
from state.errors import EditRefused
from state.model import Route
from state.validate_outbound import DEFAULT_ROUTE


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: routes_status(ctx.config.routes))


def _stage(ctx: Context, table: tuple[Route, ...]) -> None:
    ctx.stage(model.replace(ctx.config, routes=table))


async def _new_domain(ctx: Context) -> str | None:
    answer = await value_questions.ask_accepted(
        ctx.console, texts.routes.ROUTE_NEW_DOMAIN,
        partial(routes.new_key_refusal, ctx.config.routes))
    return None if answer is None else formats_routes.route_key(answer)


async def new(ctx: Context) -> None:
    try:
        routes.room_for_one(ctx.config.routes)
    except EditRefused as refused:
        ctx.console.say(refused.message)
        return
    domain = await _new_domain(ctx)
    if domain is None:
        return
    hosts = await route_edit.ask_hosts(ctx, texts.routes.ROUTE_HOSTS.format(domain=domain))
    route_edit.stage(ctx, Route(domain=domain, hosts=hosts))


async def _existing(ctx: Context, question: str) -> Route | None:
    return await value_questions.ask_existing(
        ctx.console, question, partial(routes.find, ctx.config.routes),
        lambda answer: texts.routes.ROUTE_NOT_FOUND.format(domain=answer))


async def edit(ctx: Context) -> None:
    route = await _existing(ctx, texts.routes.ROUTE_EDIT_DOMAIN)
    if route is not None:
        await route_edit.run(ctx, route.domain)


async def delete(ctx: Context) -> None:
    route = await _existing(ctx, texts.routes.ROUTE_DELETE_DOMAIN)
    if route is None:
        return
    if route.domain == DEFAULT_ROUTE and not await ctx.console.confirm(
        texts.routes.ROUTE_RESET_DEFAULT, False
    ):
        return
    _stage(ctx, routes.remove_route(ctx.config.routes, route.domain))


async def print_routes(ctx: Context) -> None:
    ctx.console.say(routes_print(ctx.config.routes))


async def import_file(ctx: Context) -> None:
    """Replaces the whole table."""
    table = await config_files.import_table(ctx, texts.dest.DEST_IMPORT_FILE, formats_routes.parse)
    if table is not None:
        _stage(ctx, table)


async def export_file(ctx: Context) -> None:
    text = formats_routes.dump(ctx.config.routes)
    await config_files.export_table(ctx, texts.dest.DEST_EXPORT_FILE, text)


async def clear(ctx: Context) -> None:
    if await ctx.console.confirm(texts.routes.ROUTE_CLEAR_CONFIRM, False):
        _stage(ctx, ())


MENU: Menu[Operation] = Menu.of(texts.routes.ROUTES_MENU, {
    "NEW": new, "EDIT": edit, "DELETE": delete, "PRINT": print_routes, "IMPORT": import_file,
    "EXPORT": export_file, "CLEAR": clear,
})

COMMAND = Command("smtproutes", texts.shell.DESCRIPTIONS["smtproutes"], run)
