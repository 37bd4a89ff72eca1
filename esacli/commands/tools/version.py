"""`version`: what this appliance runs (product, release, runtime) and its configuration."""

from __future__ import annotations

import platform
import ssl
from collections.abc import Sequence
from importlib import metadata

from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state.users import Act


def _release() -> str:
    try:
        return metadata.version("esacli")
    except metadata.PackageNotFoundError:
        return "unknown"


def facts(ctx: Context) -> dict[str, str]:
    store = ctx.session.store
    head = store.info(store.head_number())
    return {
        "product": texts.tools.VERSION_PRODUCT,
        "version": _release(),
        "python": platform.python_version(),
        "openssl": ssl.OPENSSL_VERSION,
        "config": texts.tools.VERSION_CONFIG.format(
            number=head.number, date=render.date(head.time), user=head.user),
    }


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        ctx.refuse(texts.tools.VERSION_USAGE)
        return
    values = facts(ctx)
    width = max(len(label) for label, _ in texts.tools.VERSION_ROWS) + 2
    rows = [f"{label + ':':<{width}}{values[key]}" for label, key in texts.tools.VERSION_ROWS]
    ctx.console.say("\n".join([texts.tools.VERSION_HEADER, *rows]))


COMMAND = Command("version", texts.shell.DESCRIPTIONS["version"], run,
                  usage=texts.tools.VERSION_USAGE, takes_args=True, kind=Act.LOOK)
