"""The cost of a mail_logs line, and of reading a rolled-over log back.

    python bench/log_writer.py [LINES]

Writes LINES lines through MailLog (engine/logfiles.py underneath: one write(2) per
line, a look at the file every CHECK_EVERY), with rollover off and with 1M files, then
times `findevent -m`'s grouping (engine/mailevents.py) over the files written. Figures
are printed, never asserted.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from engine import mailevents
from engine.logfiles import Rotation, files_of
from engine.maillog import MailLog
from esacli.commands.ops.logs.reading import lines


def write(path: Path, count: int, rotation: Rotation) -> float:
    log = MailLog(path, "BENCH", rotation)
    start = time.perf_counter()
    for n in range(count):
        log.info(f"MID {n // 6} ICID {n // 60} RID 0 To: <user{n}@example.com>")
        if n % 60 == 0:
            log.info(f"Start MID {n // 6} ICID {n // 60}")
    log.close()
    return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as folder:
        plain = write(Path(folder) / "a" / "mail_logs", count, Rotation(max_size=1 << 40))
        rolled_path = Path(folder) / "b" / "mail_logs"
        rolled = write(rolled_path, count, Rotation(max_size=1 << 20, keep=1000))
        start = time.perf_counter()
        every = list(lines(rolled_path))
        seen = mailevents.connections(every)
        found = mailevents.events(every, [count // 12], seen)
        search = time.perf_counter() - start
        start = time.perf_counter()
        everyone = mailevents.matching(every, "to", re.compile("example"))
        grouped = mailevents.events(every, everyone, seen)
        broad = time.perf_counter() - start
        print(f"findevent -t example over them: {len(grouped)} messages in {broad:.2f} s")
        print(f"{count} lines: {plain:.2f} us/line without rollover, {rolled:.2f} us/line"
              f" rolling every 1M ({len(files_of(rolled_path))} files);"
              f" findevent -m over them {search:.2f} s ({len(found[count // 12])} lines)")


if __name__ == "__main__":
    main()
