"""The one-line forms of destconfig, one per menu item (walked by `MENU.batch`):

    destconfig new partner.example --use_tls=require_verify --max_host_concurrency=10
    destconfig edit partner.example --use_tls=default
    destconfig delete partner.example
    destconfig default --max_messages_per_connection=20
    destconfig list | detail [<domain>|all] | clear | import <file> | export <file>

The `--key=value` options are the parameters of the destconfig file (§6.7), read by the
same parser as IMPORT (state.formats_dest.with_options): a setting the file gains is an
option here at once. An error stages nothing and sets the exit status (BatchRefused).
"""

from __future__ import annotations

from esacli import texts
from esacli.commands import config_files
from esacli.commands.context import Context
from esacli.commands.destconfig.render import dest_detail, dest_list
from esacli.errors import BatchRefused, format_error
from state import formats_dest, model
from state.edit import destinations
from state.errors import FormatError
from state.model import DestinationControls, DestinationEntry
from state.validate_outbound import normalise_domain


def _stage(ctx: Context, dest: DestinationControls) -> None:
    ctx.stage(model.replace(ctx.config, destinations=dest))


def _applied(entry: DestinationEntry, words: list[str], is_default: bool) -> DestinationEntry:
    try:
        return formats_dest.with_options(entry, formats_dest.option_words(words), is_default)
    except FormatError as refused:
        raise BatchRefused(format_error(refused)) from None


def _domain(words: list[str]) -> str:
    if not words or words[0].startswith("--"):
        raise BatchRefused(texts.dest.DEST_BATCH_USAGE)
    return words[0]


def _existing(ctx: Context, words: list[str]) -> DestinationEntry:
    domain = _domain(words)
    entry = destinations.find(ctx.config.destinations, domain)
    if entry is None:
        raise BatchRefused(texts.dest.DEST_NOT_FOUND.format(domain=normalise_domain(domain)))
    return entry


def new(ctx: Context, words: list[str]) -> None:
    domain = _domain(words)
    dest = ctx.config.destinations
    refusal = destinations.new_domain_refusal(dest, domain)
    if refusal is not None:
        raise BatchRefused(refusal)
    entry = _applied(DestinationEntry(domain=normalise_domain(domain)), words[1:], False)
    _stage(ctx, destinations.put_entry(dest, entry))


def edit(ctx: Context, words: list[str]) -> None:
    entry = _applied(_existing(ctx, words), words[1:], False)
    _stage(ctx, destinations.put_entry(ctx.config.destinations, entry))


def delete(ctx: Context, words: list[str]) -> None:
    entry = _existing(ctx, words)
    if len(words) != 1:
        raise BatchRefused(texts.dest.DEST_BATCH_USAGE)
    _stage(ctx, destinations.remove_entry(ctx.config.destinations, entry.domain))


def default(ctx: Context, words: list[str]) -> None:
    dest = ctx.config.destinations
    _stage(ctx, model.replace(dest, default=_applied(dest.default, words, True)))


def _no_words(words: list[str]) -> None:
    if words:
        raise BatchRefused(texts.dest.DEST_BATCH_USAGE)


def list_entries(ctx: Context, words: list[str]) -> None:
    _no_words(words)
    ctx.console.say(dest_list(ctx.config.destinations))


def detail(ctx: Context, words: list[str]) -> None:
    dest = ctx.config.destinations
    if [w.lower() for w in words] in ([], [texts.dest.DEST_ALL]):
        chosen = [*dest.entries, dest.default]
    elif len(words) == 1:
        chosen = [_existing(ctx, words)]
    else:
        raise BatchRefused(texts.dest.DEST_BATCH_USAGE)
    ctx.console.say("\n\n".join(dest_detail(e, dest.default) for e in chosen))


def clear(ctx: Context, words: list[str]) -> None:
    _no_words(words)
    _stage(ctx, model.replace(ctx.config.destinations, entries=()))


def import_file(ctx: Context, words: list[str]) -> None:
    current = ctx.config.destinations
    dest = config_files.batch_import(ctx, words, texts.dest.DEST_BATCH_USAGE,
                                     lambda text: formats_dest.parse(text, current))
    if dest is not None:
        _stage(ctx, dest)


def export_file(ctx: Context, words: list[str]) -> None:
    config_files.batch_export(ctx, words, texts.dest.DEST_BATCH_USAGE,
                              formats_dest.dump(ctx.config.destinations))


FORMS = {"NEW": new, "EDIT": edit, "DELETE": delete, "DEFAULT": default,
         "LIST": list_entries, "DETAIL": detail, "CLEAR": clear, "IMPORT": import_file,
         "EXPORT": export_file}
