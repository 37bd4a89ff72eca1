"""`/metrics`: the appliance in the Prometheus text format (prometheus_client).

Collected at each scrape from what the engine publishes: status.json (liveness, the
version applied, gauges, counters since the engine started: Prometheus takes their reset
at a restart as a counter reset), the configuration store (the newest version), and the
TLS statistics' lifetime totals (tlsstats.db `totals`, which only grow). Served by the web
console, which reads files and never the engine, so one scrape gives the whole appliance
however many processes serve SMTP.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from engine.status import status_path
from engine.tlsstats.store import Reader
from esacli import status_doc
from esacli.errors import StatusUnreadable
from esacli.web.texts import METRIC_HELP
from state.store import Store

PREFIX = "esacli_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# status.json counters exported, with their metric names
COUNTERS = {
    "messages_received": "messages_received",
    "delivered_recipients": "recipients_delivered",
    "hard_bounced_recipients": "recipients_bounced",
    "soft_bounced_events": "deferrals",
    "rejected_connections": "connections_rejected",
}
DIRECTION_LABEL = {"in": "inbound", "out": "outbound"}


def _gauge(name: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, METRIC_HELP[name], value=value)


def _counter(name: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(PREFIX + name, METRIC_HELP[name], value=value)


class ApplianceCollector(Collector):
    def __init__(self, data_dir: Path, store: Store) -> None:
        self.data_dir = data_dir
        self.store = store
        self.stats = Reader(data_dir)

    def collect(self) -> Iterator[Metric]:
        try:
            doc = status_doc.read(status_path(self.data_dir))
        except StatusUnreadable:
            doc = None
        live = doc is not None and status_doc.alive(doc, time.time())
        yield _gauge("up", 1.0 if live else 0.0)
        yield _gauge("config_version_committed", float(self.store.head_number()))
        if doc is not None and live:
            yield _gauge("config_version_applied", float(doc.version or 0))
            yield _gauge("inbound_connections", float(doc.gauges.inbound_connections))
            yield _gauge("queue_messages", float(doc.gauges.messages_in_queue))
            yield _gauge("queue_recipients", float(doc.gauges.active_recipients))
            for field, name in COUNTERS.items():
                yield _counter(name, float(getattr(doc.counters, field)))
        yield from self._tls()

    def _tls(self) -> Iterator[Metric]:
        outcomes = CounterMetricFamily(PREFIX + "tls_connections", METRIC_HELP["tls_connections"],
                                       labels=["direction", "tls", "result_type"])
        connections = CounterMetricFamily(PREFIX + "connections", METRIC_HELP["connections"],
                                          labels=["direction"])
        messages = CounterMetricFamily(PREFIX + "messages", METRIC_HELP["messages"],
                                       labels=["direction", "tls"])
        per_direction: dict[str, float] = dict.fromkeys(DIRECTION_LABEL.values(), 0.0)
        per_messages: dict[tuple[str, str], float] = {}
        for direction, tls, result_type, count, sent in self.stats.totals():
            name = DIRECTION_LABEL.get(str(direction), str(direction))
            flag = "yes" if tls else "no"
            outcomes.add_metric([name, flag, str(result_type) or "none"], float(count))
            per_direction[name] = per_direction.get(name, 0.0) + float(count)
            per_messages[(name, flag)] = per_messages.get((name, flag), 0.0) + float(sent)
        for name, total in sorted(per_direction.items()):
            connections.add_metric([name], total)
        for (name, flag), total in sorted(per_messages.items()):
            messages.add_metric([name, flag], total)
        yield connections
        yield messages
        yield outcomes


def exposition(data_dir: Path, store: Store) -> bytes:
    """One scrape: the text format of everything above."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ApplianceCollector(data_dir, store))
    return bytes(generate_latest(registry))
