"""Who is logged in (`who`) and who was (`last`).

One `Logins` per appliance process: the sessions open now, with their last command's
time (the idle time `who` shows), and a history of logins and logouts appended to
logs/logins (one JSON line each, 0600, user names and hosts as text: `last` escapes them
on screen like any other text). Writing the history never fails a login: an unwritable
file is logged in system_logs.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from state import files

log = logging.getLogger(__name__)
LAST_LIMIT = 100  # logins `last` shows, newest first


@dataclass
class Login:
    user: str
    host: str
    what: str  # "cli" (an interactive session), "batch" (a command without a terminal)
    start: float
    active: float = 0.0  # when the last command started
    end: float | None = None
    number: int = 0

    def touch(self, now: float) -> None:
        self.active = now


@dataclass
class Logins:
    path: Path
    clock: Callable[[], float] = time.time
    _open: dict[int, Login] = field(default_factory=dict)
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    @classmethod
    def of(cls, data_dir: Path, clock: Callable[[], float] = time.time) -> Logins:
        return cls(Path(data_dir) / "logs" / "logins", clock)

    def start(self, user: str, host: str, what: str) -> Login:
        now = self.clock()
        login = Login(user, host, what, now, now, number=next(self._numbers))
        self._open[login.number] = login
        self._append({"user": user, "host": host, "what": what, "start": now, "id": login.number})
        return login

    def end(self, login: Login) -> None:
        login.end = self.clock()
        self._open.pop(login.number, None)
        self._append({"user": login.user, "host": login.host, "what": login.what,
                      "start": login.start, "end": login.end, "id": login.number})

    def current(self) -> list[Login]:
        return sorted(self._open.values(), key=lambda x: x.start)

    def history(self, limit: int = LAST_LIMIT) -> list[Login]:
        """Finished and open logins, newest first (a login with no logout line: still
        open, or cut short by a crash, shown as its start only)."""
        found: dict[tuple[float, int, str], Login] = {}
        for login in self._records():
            found[(login.start, login.number, login.user)] = login  # the logout line wins
        return sorted(found.values(), key=lambda x: x.start, reverse=True)[:limit]

    def _records(self) -> Iterator[Login]:
        try:
            lines = self.path.read_text(errors="replace").splitlines()
        except OSError:
            return
        for line in lines:
            try:
                r = json.loads(line)
                yield Login(str(r["user"]), str(r["host"]), str(r["what"]), float(r["start"]),
                            end=None if r.get("end") is None else float(r["end"]),
                            number=int(r["id"]))
            except (ValueError, TypeError, KeyError):
                continue  # a line cut short by a crash

    def _append(self, record: dict[str, object]) -> None:
        try:
            files.private_dir(self.path.parent)
            files.private_file(self.path)
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
        except OSError:
            log.exception("cannot record a login in %s", self.path)
