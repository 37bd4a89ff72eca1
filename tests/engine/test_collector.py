"""engine/collector.settle: what a process built is frozen out of collection, and the
young generation is collected less often; cycles made afterwards are still collected.
Run in a process of its own: settle changes the collector for the whole process."""

from __future__ import annotations

import json
import subprocess
import sys

from engine.collector import YOUNG

CHILD = """
import gc, json, weakref
from engine import collector

class Node:
    pass

before = len(gc.get_objects())
collector.settle()
frozen, threshold = gc.get_freeze_count(), gc.get_threshold()[0]
cycle = Node(); cycle.me = cycle
gone = weakref.ref(cycle)
del cycle
gc.collect()
print(json.dumps({"before": before, "frozen": frozen, "young": threshold,
                  "cycle_collected": gone() is None}))
"""


def test_settle_freezes_what_exists_and_still_collects_new_cycles() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                         check=True, timeout=30)
    found = json.loads(out.stdout)
    assert found["young"] == YOUNG
    assert found["frozen"] >= found["before"] * 0.9  # what existed, less what settle freed
    assert found["cycle_collected"]
