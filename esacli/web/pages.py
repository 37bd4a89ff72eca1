"""The console's HTML, rendered from values (pure): every client-supplied or recorded
string is escaped (control characters as the shell shows them, then HTML), and nothing
but the appliance's own CSS and inline SVG is referenced."""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping, Sequence

from engine.tlsstats.readiness import Readiness
from engine.tlsstats.report import COLUMNS, Report
from esacli import texts as shell_texts
from esacli.web import texts
from state.controls import escape_controls

CSS = """
body { font-family: sans-serif; margin: 0; color: #222; }
header { background: #0d3b66; color: white; padding: .5em 1em; display: flex;
         align-items: center; gap: 1.5em; }
header a { color: white; text-decoration: none; } header a.here { font-weight: bold; }
header form { margin-left: auto; }
main { padding: 1em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: .2em .5em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.total td { font-weight: bold; }
.error { color: #b00020; } .chart { margin: .5em 0; } dt { font-weight: bold; }
"""


def ESC(text: str) -> str:
    # A comment, a host name or a query value may hold ESC, BEL or U+0001: shown as the
    # shell shows them (`\x1b`), never raw (most C0 characters are not even valid HTML);
    # a line break or tab (a remote's reply of several lines) is HTML's white space
    return html.escape(escape_controls(text, keep="\n\t"))


def _when(epoch: float) -> str:
    return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(epoch))


def layout(page: str, hostname: str, body: str, user: str = "", csrf: str = "",
           path: str = "") -> str:
    nav = "".join(f'<a href="{href}"{" class=here" if href == path else ""}>{ESC(label)}</a>'
                  for href, label in texts.NAV.items())
    top = ""
    if user:
        top = (f"<header>{nav}<span>{ESC(texts.SIGNED_IN.format(user=user))}</span>"
               f'<form method="post" action="/logout"><input type="hidden" name="csrf"'
               f' value="{ESC(csrf)}"><button type="submit">{ESC(texts.LOGOUT)}</button>'
               f"</form></header>")
    title = ESC(texts.TITLE.format(hostname=hostname, page=page))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}'
            f'</title><link rel="stylesheet" href="/console.css"></head><body>{top}'
            f"<main><h1>{ESC(page)}</h1>{body}</main></body></html>")


def login(hostname: str, error: str = "") -> str:
    note = f'<p class="error" id="error">{ESC(error)}</p>' if error else ""
    body = (f'{note}<form method="post" action="/login">'
            f'<p><label>{ESC(texts.LOGIN_USER)} <input name="user" id="user"'
            f' autocomplete="username" required></label></p>'
            f'<p><label>{ESC(texts.LOGIN_PASSWORD)} <input name="password" id="password"'
            f' type="password" autocomplete="current-password" required></label></p>'
            f'<p><button type="submit" id="login">{ESC(texts.LOGIN_BUTTON)}</button></p></form>')
    return layout(texts.LOGIN_PAGE, hostname, body)


def table(columns: Sequence[str], rows: Iterable[Sequence[object]], ident: str = "") -> str:
    head = "".join(f"<th>{ESC(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{ESC(str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    ident = f' id="{ESC(ident)}"' if ident else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_table(rep: Report) -> str:
    head = "".join(f'<th title="{ESC(c.definition)}">{ESC(c.label)}</th>' for c in COLUMNS)
    rows = []
    for line, klass in [*((li, "") for li in rep.lines), (rep.total, "total")]:
        cells = "".join(f'<td data-col="{c.key}">{ESC(str(line.value(c.key)))}</td>'
                        for c in COLUMNS)
        rows.append(f'<tr class="{klass}" data-domain="{ESC(line.domain)}">{cells}</tr>')
    return (f'<table id="report-{rep.direction}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def period_picker(current: str, start: str = "", end: str = "", error: str = "") -> str:
    links = " | ".join(
        f"<strong>{ESC(label)}</strong>" if key == current else
        f'<a href="/?period={key}">{ESC(label)}</a>' for key, label in texts.REPORT_PERIODS.items())
    note = f'<p class="error" id="error">{ESC(error)}</p>' if error else ""
    return (f"<p>{links}</p>{note}<form method=\"get\" action=\"/\">{ESC(texts.REPORT_CUSTOM)}:"
            f' <label>{ESC(texts.REPORT_FROM)} <input name="start" value="{ESC(start)}"></label>'
            f' <label>{ESC(texts.REPORT_TO)} <input name="end" value="{ESC(end)}"></label>'
            f' <button type="submit">{ESC(texts.REPORT_SHOW)}</button></form>')


def report(reports: Sequence[Report], charts: Mapping[str, Sequence[str]], picker: str) -> str:
    parts = [picker]
    for rep in reports:
        heading = texts.REPORT_INBOUND if rep.direction == "in" else texts.REPORT_OUTBOUND
        parts.append(f"<h2>{ESC(heading.format(period=rep.range.name))}</h2>")
        parts.append(report_table(rep) if rep.lines else f"<p>{ESC(texts.REPORT_NONE)}</p>")
        for i, svg in enumerate(charts.get(rep.direction, ())):
            parts.append(f'<div class="chart" id="chart-{rep.direction}-{i}">{svg}</div>')
    parts.append(f"<h2>{ESC(texts.REPORT_DEFINITIONS)}</h2><dl>")
    parts += [f"<dt>{ESC(c.label)}</dt><dd>{ESC(c.definition)}</dd>" for c in COLUMNS]
    parts.append("</dl>")
    return "".join(parts)


def readiness_form(domain: str, direction: str) -> str:
    options = "".join(f'<option value="{k}"{" selected" if k == direction else ""}>{ESC(v)}'
                      f"</option>" for k, v in texts.DIRECTIONS.items())
    return (f'<form method="get" action="/readiness"><label>{ESC(texts.READINESS_DOMAIN)}'
            f' <input name="domain" value="{ESC(domain)}"></label> <label>'
            f'{ESC(texts.READINESS_DIRECTION)} <select name="direction">{options}</select>'
            f'</label> <button type="submit">{ESC(texts.REPORT_SHOW)}</button></form>')


def readiness(found: Readiness | None, domain: str, direction: str, error: str = "") -> str:
    parts = [readiness_form(domain, direction)]
    if error:
        return parts[0] + f'<p class="error" id="error">{ESC(error)}</p>'
    if found is None:
        return parts[0] + f"<p>{ESC(texts.READINESS_PICK)}</p>"
    period = found.range.name
    if not found.peers:
        none = texts.READINESS_NONE.format(domain=domain, direction=texts.DIRECTIONS[direction],
                                           period=period)
        parts.append(f"<p>{ESC(none)}</p>")
    else:
        parts.append(f"<p>{ESC(texts.READINESS_NOTE.format(period=period))}</p>")
        rows = [(p.name, ", ".join(sorted(p.addresses)), p.connections, p.offered, p.tls,
                 p.verified, ", ".join(sorted(p.versions)), ", ".join(sorted(p.ciphers)),
                 ", ".join(sorted(p.cert_names)),
                 ", ".join(f"{k} {v}" for k, v in sorted(p.result_types.items())),
                 _when(p.last_seen)) for p in found.peers]
        parts.append(table(texts.READINESS_COLUMNS, rows, "readiness"))
    label = shell_texts.hat.TLS_LABELS[found.at_required_verify.level.value]
    parts.append(f'<p id="dryrun">{ESC(found.at_required_verify.text(label))}</p>')
    return "".join(parts)


def queue(summary: str, rows: Sequence[Sequence[object]], error: str = "") -> str:
    if error:
        return f'<p class="error">{ESC(error)}</p>'
    empty = f"<p>{ESC(texts.QUEUE_EMPTY)}</p>"
    listing = table(texts.QUEUE_COLUMNS, rows, "queue") if rows else empty
    return f"<p>{ESC(summary)}</p>{listing}"


def listeners(note: str, rows: Sequence[Sequence[object]]) -> str:
    return f"<p>{ESC(note)}</p>" + table(texts.LISTENERS_COLUMNS, rows, "listeners")


def commits(rows: Sequence[tuple[int, float, str, str, str]]) -> str:
    return table(texts.COMMITS_COLUMNS, [(n, _when(t), *rest) for n, t, *rest in rows], "commits")
