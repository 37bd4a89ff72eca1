"""In a batch session a refused answer is not asked again: the script's next line was
meant for the question after it, and every later answer would land one question early
(a concurrency of 20 meant for messages per connection, committed with exit status 0).
The input stops there: `Input stopped: ...`, exit 1, nothing committed. On a terminal a
refused answer is asked again, as before (tests/esacli transcripts)."""

from __future__ import annotations

from tests.kit.appliance import Appliance, committed
from tests.kit.ssh import no_traceback, ssh_batch

STOPPED = "Input stopped: a line of it failed or was refused"


def test_a_refused_menu_answer_stops_the_input(appliance: Appliance) -> None:
    before = committed(appliance.data)
    done = ssh_batch(appliance, ["-T"], "listenerconfig\nnosuchop\nedit\nInboundMail\n\n\n"
                                        "commit\nshifted\n")
    no_traceback(done.stdout, "listenerconfig")
    assert STOPPED in done.stdout, done.stdout
    assert done.returncode == 1
    assert "InboundMail" not in done.stdout.split(STOPPED, 1)[1]  # nothing after it ran
    assert committed(appliance.data) == before
