"""Paging of long output on a terminal (reference §1.2: `-Press Any Key For More-`).

Every write of the interactive console goes through one `Pager`: once a screenful has
been written since the administrator last typed, the rest is held. The console shows
it a page at a time before it reads anything again (the next question or prompt):
space (any key) shows the next page, `q` drops the rest, Ctrl-C drops it and leaves the
dialog. Consoles without a terminal (batch, `ssh -T`, exec requests, transcripts)
have no pager and never page.
"""

from __future__ import annotations

from collections.abc import Callable

# Keys at the pager that stop it: `q` drops the rest of the output.
QUIT_KEYS = ("q", "Q")
MIN_ROWS = 3  # fewer rows: the size is unknown (0) or useless, and nothing is paged
UNPAGED = 1 << 62


class Pager:
    """Splits what is written into what fits on the screen now and what is held."""

    def __init__(self, rows: Callable[[], int]) -> None:
        self._rows = rows
        self._shown = 0  # lines written since the last key the administrator typed
        self._held: list[str] = []  # lines (with their ends) past the page

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def _room(self) -> int:
        # The last line of the screen is the pager's own prompt. A terminal of unknown
        # size (a client with no tty of its own reports 0 rows) is not paged.
        rows = self._rows()
        return rows - 1 if rows >= MIN_ROWS else UNPAGED

    def take(self, text: str) -> str:
        """The part of `text` that fits on the current page; the rest is held."""
        if self._held:
            self._held.extend(text.splitlines(keepends=True))
            return ""
        lines = text.splitlines(keepends=True)
        shown: list[str] = []
        for n, line in enumerate(lines):
            if self._shown >= self._room():
                self._held = lines[n:]
                break
            shown.append(line)
            self._shown += line.endswith("\n")
        return "".join(shown)

    def next_page(self) -> str:
        """After a key: the next screenful of what is held."""
        held, self._held = self._held, []
        self._shown = 0
        return self.take("".join(held))

    def typed(self) -> None:
        """The administrator typed a line: a new page starts below it."""
        self._shown = 1

    def release(self) -> str:
        """Everything held, for output that is not paged (`tail` follows)."""
        held, self._held = "".join(self._held), []
        self._shown = 0
        return held

    def drop(self) -> None:
        self._held = []
        self._shown = 0
