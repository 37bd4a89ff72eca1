"""How long a Cluster-level commit on machine A takes to be enforced by machine B.

    .venv/bin/python bench/cluster_propagation.py [--commits 20]

Starts a throwaway PostgreSQL (tests/kit/pg.py), makes a cluster of two `esacli run`
appliances on 127.0.0.1 and 127.0.0.2 sharing the listener port, then commits at
Cluster level on A, alternately requiring and dropping TLS for the partner's
address, and times until B answers MAIL FROM from that address accordingly (530
or 250). Prints the median, the 90th percentile and the worst. Bounded: a fixed
number of commits and a cap per wait.
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from state import model
from tests.cluster.kit import (
    cluster_session,
    create,
    join,
    new_database,
    standalone,
)
from tests.cluster.test_cluster_e2e import PARTNER, on_ports, require_tls_from_partner
from tests.kit.appliance import Appliance
from tests.kit.pg import PostgresServer
from tests.kit.ports import reserve_on
from tests.kit.waiting import wait_until


def code(ip: str, port: int) -> int:
    with smtplib.SMTP(ip, port, timeout=10, source_address=(PARTNER, 0)) as client:
        client.ehlo("partner.example")
        return client.mail("a@partner.example")[0]


def without_tls_group(config: model.Config) -> model.Config:
    inbound = config.listeners[0]
    groups = tuple(g for g in inbound.hat.groups if g.name != "TLS_Senders")
    policies = tuple(p for p in inbound.hat.policies if p.name != "TLS_Required")
    hat = model.replace(inbound.hat, groups=groups, policies=policies)
    return model.replace(config, listeners=(model.replace(inbound, hat=hat), *config.listeners[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=20)
    args = parser.parse_args()
    with PostgresServer() as server, tempfile.TemporaryDirectory() as tmp:
        database = new_database(server)
        port = reserve_on("127.0.0.1", "127.0.0.2")
        adjust = on_ports(port, reserve_on("127.0.0.1", "127.0.0.2"))
        a = standalone(Path(tmp), "a", "127.0.0.1", adjust)
        b = standalone(Path(tmp), "b", "127.0.0.2", adjust)
        node_a = create(a, database.url)
        join(b, database.url)
        runs = [Appliance(a.data, port, ip="127.0.0.1"), Appliance(b.data, port, ip="127.0.0.2")]
        try:
            for run in runs:
                run.start()
            times = []
            for i in range(args.commits):
                change, wanted = ((require_tls_from_partner, 530) if i % 2 == 0
                                  else (without_tls_group, 250))
                session = cluster_session(node_a)
                session.stage(change(session.candidate))
                start = time.monotonic()
                session.commit(f"bench {i}")
                wait_until(lambda w=wanted: code("127.0.0.2", port) == w, 10, "B to follow")
                times.append(time.monotonic() - start)
        finally:
            for run in runs:
                run.stop()
    times.sort()
    print(f"commits: {len(times)}  commit-to-enforced on B: median {statistics.median(times):.3f} s"
          f"  p90 {times[int(len(times) * 0.9) - 1]:.3f} s  worst {times[-1]:.3f} s")


if __name__ == "__main__":
    main()
