"""`netstat`: the TCP connections and listening sockets of the running appliance (its
SMTP listeners, SSH and web consoles, deliveries in progress), as FreeBSD's netstat
shows them. The engine's process is the one status.json names."""

from __future__ import annotations

from collections.abc import Sequence

from engine.status import status_path
from esacli import status_doc, texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.tools import sockets
from esacli.errors import StatusUnreadable
from state.users import Act

ANY = "*.*"


def _endpoint(address: tuple[str, int]) -> str:
    host, port = address
    if port == 0 and host in ("0.0.0.0", "::"):
        return ANY
    return f"{'*' if host in ('0.0.0.0', '::') else host}.{port}"


def table(found: Sequence[sockets.Socket]) -> str:
    rows = [texts.tools.NETSTAT_COLUMNS]
    order = sorted(found, key=lambda s: (s.state != "LISTEN", s.local[1], s.remote))
    rows += [(s.proto, str(s.recv_q), str(s.send_q), _endpoint(s.local), _endpoint(s.remote),
              s.state) for s in order]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i in (1, 2) else c.ljust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
             for r in rows]
    return "\n".join([texts.tools.NETSTAT_HEADER, *lines])


async def run(ctx: Context, args: Sequence[str]) -> None:
    if args:
        ctx.refuse(texts.tools.NETSTAT_USAGE)
        return
    try:
        doc = status_doc.read(status_path(ctx.session.store.data_dir))
    except StatusUnreadable:
        doc = None
    if doc is None or not status_doc.alive(doc, ctx.clock()):
        ctx.refuse(texts.tools.NETSTAT_NOT_RUNNING)
        return
    found = sockets.of_process(doc.pid)
    ctx.console.say(table(found) if found else texts.tools.NETSTAT_NONE)


COMMAND = Command("netstat", texts.shell.DESCRIPTIONS["netstat"], run,
                  usage=texts.tools.NETSTAT_USAGE, takes_args=True, kind=Act.LOOK)
