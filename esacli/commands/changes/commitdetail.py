"""`commitdetail [version]`: who committed a version, when, with which comment, and what
it changed from its parent (by configuration path, as showchanges shows them). Without a
number: this session's last commit, else the latest version."""

from __future__ import annotations

from collections.abc import Sequence

from esacli import render, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state import diff, numbers
from state.users import Act


def detail(ctx: Context, number: int) -> str:
    store = ctx.session.store
    info = store.info(number)
    lines = [texts.configfile.DETAIL_HEADER.format(
        number=info.number, date=render.date(info.time), user=info.user, source=info.source,
        comment=info.comment)]
    if not info.parent:
        return "\n".join([*lines, "", texts.configfile.DETAIL_FIRST])
    changes = diff.changes(store.load(info.parent), store.load(number))
    lines += ["", texts.configfile.DETAIL_CHANGES.format(parent=info.parent)]
    lines += [texts.configfile.DETAIL_CHANGE.format(path=c.path, old=render.setting(c.old),
                                                   new=render.setting(c.new)) for c in changes]
    if not changes:
        lines.append(texts.configfile.DETAIL_NONE)
    return "\n".join(lines)


async def commitdetail(ctx: Context, args: Sequence[str]) -> None:
    head = ctx.session.store.head_number()
    if len(args) > 1:
        ctx.refuse(texts.configfile.DETAIL_USAGE)
        return
    number = numbers.parse_int(args[0]) if args else ctx.session.last_commit or head
    if number is None or not 1 <= number <= head:
        ctx.refuse(texts.configfile.DETAIL_BAD_VERSION.format(version=args[0], head=head))
        return
    ctx.console.say(detail(ctx, number))


COMMAND = Command("commitdetail", texts.shell.DESCRIPTIONS["commitdetail"], commitdetail,
                  usage=texts.configfile.DETAIL_USAGE, takes_args=True, kind=Act.LOOK)
