"""The TLS connections report on screen.

On a terminal (the console knows its width) a rich table, one row per domain and a
Total row, every column headed by its label (engine/tlsstats/texts.py). Without one
(SSH exec, piped input) plain text a script can read: one block per domain, one
`Label: value` line per column, so no number is ever read under the wrong heading.
No colour either way: the console escapes control characters.
"""

from __future__ import annotations

import io
import time

from rich import box
from rich.console import Console as RichConsole
from rich.table import Table

from engine.tlsstats.report import COLUMNS, Line, Report
from esacli import texts

FIELDS = [c for c in COLUMNS if c.key != "domain"]
DATE = "%Y-%m-%d %H:%M"


def title(rep: Report, domain: str | None = None) -> str:
    """The direction and range, and the domain when the report is one domain's: a word
    meant as a period but taken as the domain (`tlsreport in century`) shows so."""
    direction = texts.reports.REPORT_TITLE_DIRECTIONS[rep.direction]
    template = texts.reports.REPORT_TITLE if rep.range.period else texts.reports.REPORT_TITLE_CUSTOM
    head = template.format(direction=direction, period=rep.range.name)
    if domain is not None:
        head = texts.reports.REPORT_TITLE_DOMAIN.format(title=head, domain=domain)
    start, end = (time.strftime(DATE, time.localtime(t)) for t in (rep.range.start, rep.range.end))
    return "\n".join([head, texts.reports.REPORT_RANGE.format(start=start, end=end)])


def _cell(line: Line, key: str) -> str:
    value = line.value(key)
    return str(value) if value != "" else "-"


def plain(rep: Report, domain: str | None = None) -> str:
    """Labelled records: a block per domain, then the Total block."""
    width = max(len(c.label) for c in FIELDS) + 2
    blocks = [title(rep, domain)]
    if not rep.lines:
        blocks.append(texts.reports.REPORT_EMPTY)
    for line in [*rep.lines, rep.total] if rep.lines else []:
        rows = [f"  {(c.label + ':').ljust(width)}{_cell(line, c.key)}" for c in FIELDS]
        blocks.append("\n".join([line.domain, *rows]))
    return "\n\n".join(blocks)


def table(rep: Report, width: int, domain: str | None = None) -> str:
    """Rich tables as wide as the terminal: one row per column of the report, headed by
    its whole label, and one column per domain (then Total); the domains are spread over
    as many tables as the width needs, so no label and no number is ever cut."""
    if not rep.lines:
        return "\n".join([title(rep, domain), "", texts.reports.REPORT_EMPTY])
    lines = [*rep.lines, rep.total]
    label_width = max(len(c.label) for c in FIELDS) + 3
    grids: list[Table] = []
    chunk: list[Line] = []
    used = label_width + 1
    for line in lines:
        need = max(len(line.domain), *(len(_cell(line, c.key)) for c in FIELDS)) + 3
        if chunk and used + need > width:
            grids.append(_grid(chunk))
            chunk, used = [], label_width + 1
        chunk.append(line)
        used += need
    grids.append(_grid(chunk))
    out = io.StringIO()
    rich = RichConsole(file=out, width=width, color_system=None, force_terminal=False,
                       legacy_windows=False, emoji=False, highlight=False)
    for grid in grids:
        rich.print(grid)
    return "\n".join([title(rep, domain), "", out.getvalue().rstrip("\n"), "",
                      texts.reports.REPORT_HINT])


def _grid(lines: list[Line]) -> Table:
    grid = Table(box=box.SQUARE, header_style="")
    grid.add_column(COLUMNS[0].label, no_wrap=True)
    for line in lines:
        grid.add_column(line.domain, justify="right", no_wrap=True)
    for column in FIELDS:
        grid.add_row(column.label, *(_cell(line, column.key) for line in lines))
    return grid


def definitions() -> str:
    lines = [texts.reports.REPORT_DEFINITIONS]
    lines += [f"  {c.label}: {c.definition}" for c in COLUMNS]
    return "\n".join(lines)
