"""ICIDs and MIDs: never repeated across processes, restarts and crashes; exact after a
clean stop. Real processes share the sequence as the SMTP workers do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from engine.counters import BLOCK, CLAIM, Counters

TAKE = """
import sys
from engine.counters import Counters
c = Counters(sys.argv[1], owner=False)
print(" ".join(str(c.next_icid()) for _ in range(int(sys.argv[2]))))
if sys.argv[3] == "close":
    c.close()
"""


def take_in_process(path: Path, count: int, close: bool = True) -> list[int]:
    out = subprocess.run([sys.executable, "-c", TAKE, str(path), str(count),
                          "close" if close else "crash"],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    return [int(n) for n in out.split()]


def test_one_process_counts_from_one_and_a_clean_stop_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "counters.json"
    first = Counters(path)
    assert [first.next_icid() for _ in range(3)] == [1, 2, 3]
    assert first.next_mid() == 1
    first.close()
    assert json.loads(path.read_text()) == {"icid": 4, "mid": 2}
    again = Counters(path)
    assert (again.next_icid(), again.next_mid()) == (4, 2)
    again.close()


def test_a_crash_skips_to_the_reservation_and_never_repeats(tmp_path: Path) -> None:
    path = tmp_path / "counters.json"
    crashed = Counters(path)
    handed = [crashed.next_mid() for _ in range(BLOCK + CLAIM + 5)]  # past one reservation
    reserved = json.loads(path.read_text())["mid"]
    assert max(handed) < reserved
    # no close(): the process died; the next owner starts from counters.json alone
    (tmp_path / "counters.next").unlink()
    after = Counters(path)
    assert after.next_mid() == reserved
    after.close()


def test_processes_share_the_sequence_without_repeating(tmp_path: Path) -> None:
    path = tmp_path / "counters.json"
    owner = Counters(path)
    mine = [owner.next_icid() for _ in range(10)]
    workers = [subprocess.Popen([sys.executable, "-c", TAKE, str(path), "700", "close"],
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    theirs = []
    for proc in workers:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        theirs += [int(n) for n in out.split()]
    mine += [owner.next_icid() for _ in range(100)]
    everything = mine + theirs + take_in_process(path, 5, close=False)  # one dies holding a run
    assert len(everything) == len(set(everything)) == 10 + 1400 + 100 + 5
    owner.close()
    restarted = Counters(path)
    assert restarted.next_icid() not in everything
    restarted.close()


def test_the_rest_of_a_run_goes_back_only_when_no_one_claimed_after_it(tmp_path: Path) -> None:
    path = tmp_path / "counters.json"
    owner = Counters(path)
    assert owner.next_icid() == 1  # the owner's run: 1..CLAIM
    assert take_in_process(path, 2) == [CLAIM + 1, CLAIM + 2]  # the rest went back at close
    assert take_in_process(path, 1) == [CLAIM + 3]
    assert owner.next_icid() == 2  # others claimed after the owner's run: it is kept
    owner.close()
    assert json.loads(path.read_text())["icid"] == CLAIM + 4  # 3..CLAIM are a gap
