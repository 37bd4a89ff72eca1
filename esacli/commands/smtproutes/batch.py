"""The one-line forms of smtproutes, one per menu item (walked by `MENU.batch`; EDIT's
words walk the EDIT menu's items the same way):

    smtproutes new partner.example mx1.partner.example:2525, mx2.partner.example
    smtproutes edit partner.example add|replace|remove <hosts>
    smtproutes delete partner.example
    smtproutes print | clear | import <file> | export <file>

Hosts are read by state.formats_routes exactly as the dialog reads them; an error stages
nothing and sets the exit status (BatchRefused).
"""

from __future__ import annotations

from esacli import texts
from esacli.commands import config_files
from esacli.commands.context import Context
from esacli.commands.smtproutes import edit as route_edit
from esacli.commands.smtproutes.render import routes_print
from esacli.errors import BatchRefused
from state import formats_routes, model
from state.edit import routes
from state.errors import EditRefused
from state.model import Route


def _stage(ctx: Context, table: tuple[Route, ...]) -> None:
    ctx.stage(model.replace(ctx.config, routes=table))


def _existing(ctx: Context, words: list[str]) -> Route:
    if not words:
        raise BatchRefused(texts.routes.ROUTE_BATCH_USAGE)
    route = routes.find(ctx.config.routes, words[0])
    if route is None:
        raise BatchRefused(texts.routes.ROUTE_NOT_FOUND.format(domain=words[0]))
    return route


def new(ctx: Context, words: list[str]) -> None:
    if len(words) < 2:
        raise BatchRefused(texts.routes.ROUTE_BATCH_USAGE)
    refusal = routes.new_key_refusal(ctx.config.routes, words[0])
    if refusal is not None:
        raise BatchRefused(refusal)
    route = Route(domain=str(formats_routes.route_key(words[0])),
                  hosts=route_edit.batch_hosts(words[1:]))
    try:
        _stage(ctx, routes.put_route(ctx.config.routes, route))
    except EditRefused as refused:
        raise BatchRefused(refused.message) from None


def edit(ctx: Context, words: list[str]) -> None:
    route = _existing(ctx, words)
    form, rest = route_edit.MENU.batch(words[1:], texts.routes.ROUTE_BATCH_USAGE)
    edited = form(route, rest)
    _stage(ctx, routes.put_route(ctx.config.routes, edited))


def delete(ctx: Context, words: list[str]) -> None:
    route = _existing(ctx, words)
    if len(words) != 1:
        raise BatchRefused(texts.routes.ROUTE_BATCH_USAGE)
    _stage(ctx, routes.remove_route(ctx.config.routes, route.domain))


def print_routes(ctx: Context, words: list[str]) -> None:
    if words:
        raise BatchRefused(texts.routes.ROUTE_BATCH_USAGE)
    ctx.console.say(routes_print(ctx.config.routes))


def import_file(ctx: Context, words: list[str]) -> None:
    table = config_files.batch_import(ctx, words, texts.routes.ROUTE_BATCH_USAGE,
                                      formats_routes.parse)
    if table is not None:
        _stage(ctx, table)


def export_file(ctx: Context, words: list[str]) -> None:
    config_files.batch_export(ctx, words, texts.routes.ROUTE_BATCH_USAGE,
                              formats_routes.dump(ctx.config.routes))


def clear(ctx: Context, words: list[str]) -> None:
    if words:
        raise BatchRefused(texts.routes.ROUTE_BATCH_USAGE)
    _stage(ctx, ())


FORMS = {"NEW": new, "EDIT": edit, "DELETE": delete, "PRINT": print_routes,
         "IMPORT": import_file, "EXPORT": export_file, "CLEAR": clear}
