"""Text helpers every screen shares: dates, sizes, plurals, plain tables, TLS labels.

Each command's own screens are beside it (`esacli/commands/<command>/render.py`); how
errors become text is esacli.errors. Pure functions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from esacli import texts
from state.model import TLSMode
from state.numbers import KB, MB


def date(timestamp: float) -> str:
    """ctime style with a zero-padded day, as in `Changes committed: Mon Jan 01 12:00:01 2007`."""
    return time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(timestamp))


def size(value: int) -> str:
    """Bytes as the appliance shows them: 10M, 500k or plain bytes."""
    if value and value % MB == 0:
        return f"{value // MB}M"
    if value and value % KB == 0:
        return f"{value // KB}k"
    return str(value)


def plural(count: int, forms: tuple[str, str]) -> str:
    """`forms` is (one, several), each with `{n}`: "1 certificate", "0 certificates"."""
    return forms[0 if count == 1 else 1].format(n=count)


def setting(value: Any) -> str:
    """A configuration path's value as commitdetail and a merge conflict show it: as
    written in Python (a name in quotes), "(none)" where the path is not there (state.diff
    gives None for a deleted container)."""
    return texts.configfile.DETAIL_ABSENT if value is None else repr(value)


def tls_label(mode: TLSMode | None) -> str:
    return texts.hat.TLS_LABELS[(mode or TLSMode.NO).value]


def columns(rows: Sequence[Sequence[str]]) -> str:
    """A plain table: the first row is the header, underlined with dashes."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [list(rows[0]), ["-" * w for w in widths], *[list(r) for r in rows[1:]]]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in lines)
