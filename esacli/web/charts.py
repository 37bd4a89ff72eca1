"""Charts of the TLS report as server-side SVG (pygal): no script, no external asset."""

from __future__ import annotations

import sys
import time

import pygal
from pygal.style import Style

from engine.tlsstats.report import Series
from engine.tlsstats.store import HOUR
from esacli.web import texts

# pygal adds a legacy import hook for its map plugins (unused here) to sys.meta_path, which
# makes Python 3.11 warn (ImportWarning) at every later import: take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

_STYLE = Style(background="white", plot_background="white", font_family="sans-serif",
               colors=("#2e7d32", "#c62828", "#1565c0", "#f9a825", "#6a1b9a", "#00838f"))


def _labels(series: Series) -> list[str]:
    fmt = "%H:%M" if series.span == HOUR else "%m-%d"
    return [time.strftime(fmt, time.localtime(s)) for s in series.starts]


def _chart(title: str, series: Series) -> pygal.StackedBar:
    chart = pygal.StackedBar(
        title=title, style=_STYLE, width=900, height=300, js=[], disable_xml_declaration=True,
        show_minor_x_labels=False, x_label_rotation=30, legend_at_bottom=True,
        print_values=False, no_data_text="-",
    )
    labels = _labels(series)
    chart.x_labels = labels
    chart.x_labels_major = labels[:: max(1, len(labels) // 12)]
    return chart


def tls_chart(series: Series, direction: str) -> str:
    chart = _chart(texts.CHART_TLS.format(direction=texts.DIRECTIONS[direction]), series)
    chart.add(texts.SERIES_TLS, series.tls)
    chart.add(texts.SERIES_CLEAR, series.clear)
    return str(chart.render(is_unicode=True))


def verified_chart(series: Series, direction: str) -> str:
    chart = _chart(texts.CHART_VERIFIED.format(direction=texts.DIRECTIONS[direction]), series)
    chart.add(texts.SERIES_VERIFIED, series.verified)
    chart.add(texts.SERIES_NOT_VERIFIED, series.not_verified)
    return str(chart.render(is_unicode=True))


def failures_chart(series: Series, direction: str) -> str:
    chart = _chart(texts.CHART_FAILURES.format(direction=texts.DIRECTIONS[direction]), series)
    for result_type, values in sorted(series.failures.items()):
        chart.add(result_type, values)
    if not series.failures:
        chart.add("-", [0] * len(series.starts))
    return str(chart.render(is_unicode=True))
