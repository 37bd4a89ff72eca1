"""`showrecipients`, `tophosts`, `delivernow`: transcripts over a queue database written
through the engine's QueueStore, on the shell's fixed clock; `delivernow` checked in
the database afterwards (only the next-attempt times of deferred recipients moved)."""

from __future__ import annotations

import time

from engine.queue.admin import QueueAdmin, QueuedRecipient, queue_db
from engine.queue.store import BOUNCED, DELIVERED, QUEUED, QueueStore
from esacli.commands.ops.queue import render as render_queue
from tests.kit.shell import NOW, LocalAppliance, load, run_shell, transcript

PARTNER_RETRY = NOW + 415
OTHER_RETRY = NOW + 1200
DEFERRED_451 = "4.0.0 - Unknown address error ('451', ['4.3.0 try later'])"
DEFERRED_421 = "4.0.0 - Unknown address error ('421', ['busy'])"


def ctime(timestamp: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(timestamp))


def populate(appliance: LocalAppliance) -> None:
    """MID 3: bob@partner deferred once, carol@other twice; MID 4 (null sender) due;
    MID 5 delivered and MID 6 bounced (no longer in the queue, but counted)."""
    store = QueueStore(queue_db(appliance.store.data_dir))
    try:
        store.add_message(3, "alice@sender.example", NOW - 185, 2048, "3.msg",
                          ("bob@partner.example", "carol@other.example"), NOW - 185)
        store.defer(3, [0], PARTNER_RETRY, DEFERRED_451)
        store.defer(3, [1], NOW + 300, DEFERRED_421)
        store.defer(3, [1], OTHER_RETRY, DEFERRED_421)
        store.add_message(4, "", NOW - 60, 512, "4.msg", ("dave@partner.example",), NOW - 60)
        store.add_message(5, "x@sender.example", NOW - 3600, 100, "5.msg",
                          ("eve@partner.example", "fay@partner.example"), NOW - 3600)
        store.set_final(5, [0, 1], DELIVERED, "")
        store.add_message(6, "x@sender.example", NOW - 3000, 100, "6.msg",
                          ("gone@other.example",), NOW - 3000)
        store.set_final(6, [0], BOUNCED, "5.1.0 - Unknown address error")
    finally:
        store.close()


def snapshot(appliance: LocalAppliance) -> list[QueuedRecipient]:
    return QueueAdmin(appliance.store.data_dir, lambda: NOW).recipients()


async def test_showrecipients_all_by_host_and_by_sender(appliance: LocalAppliance) -> None:
    populate(appliance)
    lines = ["showrecipients", "",
             "showrecipients", "1", "bad host!", "Partner.Example.",
             "showrecipients", "2", "<ALICE@sender.example>", "",
             "showrecipients", "2", "ALICE@sender.example", "y",
             "showrecipients", "1", "", "exit"]
    screen = await run_shell(appliance.session(), lines)
    expected = (load("queue_show").replace("{retry}", ctime(PARTNER_RETRY))
                .replace("{later}", ctime(OTHER_RETRY)))
    assert screen == expected


async def test_an_appliance_whose_engine_never_ran_has_an_empty_queue(
    appliance: LocalAppliance,
) -> None:
    screen = await run_shell(appliance.session(), ["showrecipients", "3", "tophosts", "",
                                                   "delivernow all", "exit"])
    assert screen == transcript(f"""
        mail.example.com> showrecipients

        Please select how you would like to show messages:
        1. By recipient host.
        2. By Envelope From address.
        3. All messages.
        [3]> 3

        Showing messages, please wait.

        There are no messages in the queue that match.

        mail.example.com> tophosts

        Sort results by:
        1. Active Recipients
        2. Delivered Recipients
        3. Hard Bounced Recipients
        4. Soft Bounced Events
        [1]> $

        Status as of:                  {ctime(NOW)}

        There are no hosts in the queue.

        mail.example.com> delivernow all

        Rescheduling all messages for immediate delivery.
        Recipients rescheduled: 0

        mail.example.com> exit
        """)
    assert not queue_db(appliance.store.data_dir).parent.exists()  # nothing was created


async def test_tophosts_by_each_count(appliance: LocalAppliance) -> None:
    populate(appliance)
    screen = await run_shell(appliance.session(), ["tophosts", "", "tophosts", "3",
                                                   "tophosts", "9", "4", "exit"])
    assert screen == transcript(f"""
        mail.example.com> tophosts

        Sort results by:
        1. Active Recipients
        2. Delivered Recipients
        3. Hard Bounced Recipients
        4. Soft Bounced Events
        [1]> $

        Status as of:                  {ctime(NOW)}

                            Active   Deliv.     Soft     Hard
        # Recipient Host    Recip.   Recip.  Bounced  Bounced
        1 partner.example        2        2        1        0
        2 other.example          1        0        2        1

        mail.example.com> tophosts

        Sort results by:
        1. Active Recipients
        2. Delivered Recipients
        3. Hard Bounced Recipients
        4. Soft Bounced Events
        [1]> 3

        Status as of:                  {ctime(NOW)}

                           Active   Deliv.     Soft     Hard
        # Recipient Host   Recip.   Recip.  Bounced  Bounced
        1 other.example         1        0        2        1

        mail.example.com> tophosts

        Sort results by:
        1. Active Recipients
        2. Delivered Recipients
        3. Hard Bounced Recipients
        4. Soft Bounced Events
        [1]> 9

        That value is not valid.

        Sort results by:
        1. Active Recipients
        2. Delivered Recipients
        3. Hard Bounced Recipients
        4. Soft Bounced Events
        [1]> 4

        Status as of:                  {ctime(NOW)}

                            Active   Deliv.     Soft     Hard
        # Recipient Host    Recip.   Recip.  Bounced  Bounced
        1 other.example          1        0        2        1
        2 partner.example        2        2        1        0

        mail.example.com> exit
        """)


async def test_delivernow_by_domain_moves_only_that_domains_deferred_recipients(
    appliance: LocalAppliance,
) -> None:
    populate(appliance)
    before = {(r.mid, r.rid): r for r in snapshot(appliance)}
    lines = ["delivernow", "", "nope!", "PARTNER.example", "delivernow partner.example", "exit"]
    screen = await run_shell(appliance.session(), lines)
    assert screen == transcript("""
        mail.example.com> delivernow

        Please choose an option for scheduling immediate delivery.
        1. By recipient host
        2. All messages
        [1]> $

        Please enter the domain to schedule for immediate delivery.
        []> nope!

        Invalid hostname format: "nope!".

        Please enter the domain to schedule for immediate delivery.
        []> PARTNER.example

        Rescheduling all messages to partner.example for immediate delivery.
        Recipients rescheduled: 1

        mail.example.com> delivernow partner.example

        Rescheduling all messages to partner.example for immediate delivery.
        Recipients rescheduled: 0

        mail.example.com> exit
        """)
    after = {(r.mid, r.rid): r for r in snapshot(appliance)}
    assert after[(3, 0)].next_attempt == NOW  # due now, on the shell's clock
    assert after[(3, 0)].attempts == 1 and after[(3, 0)].status == QUEUED
    assert after[(3, 0)].reason == DEFERRED_451
    assert {k: v for k, v in after.items() if k != (3, 0)} == {
        k: v for k, v in before.items() if k != (3, 0)}


async def test_delivernow_all_and_the_batch_forms(appliance: LocalAppliance) -> None:
    populate(appliance)
    lines = ["delivernow", "2", "delivernow bad/domain", "delivernow a b", "exit"]
    screen = await run_shell(appliance.session(), lines)
    assert screen == transcript("""
        mail.example.com> delivernow

        Please choose an option for scheduling immediate delivery.
        1. By recipient host
        2. All messages
        [1]> 2

        Rescheduling all messages for immediate delivery.
        Recipients rescheduled: 2

        mail.example.com> delivernow bad/domain

        Invalid hostname format: "bad/domain".

        mail.example.com> delivernow a b

        Usage: delivernow [all | <domain>]

        mail.example.com> exit
        """)
    queued = [r for r in snapshot(appliance) if r.status == QUEUED]
    assert [(r.mid, r.rid, r.next_attempt, r.attempts) for r in queued] == [
        (3, 0, NOW, 1), (3, 1, NOW, 2), (4, 0, NOW - 60, 0)]


async def test_an_unreadable_queue_is_one_line(appliance: LocalAppliance) -> None:
    path = queue_db(appliance.store.data_dir)
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 64)
    lines = ["showrecipients", "", "tophosts", "", "delivernow all", "exit"]
    screen = await run_shell(appliance.session(), lines)
    assert screen.count("\nCouldn't read the mail queue. Please try again.\n") == 3
    assert "Error" not in screen and "Traceback" not in screen


def test_a_listing_at_its_limit_says_so() -> None:
    row = QueuedRecipient(1, 0, "a@x.test", "x.test", QUEUED, 0, NOW, "", "s@y.test", 10,
                          NOW, 0.0)
    text = render_queue.recipients([row], NOW, limit=1)
    assert text.endswith("\n\nOnly the first 1 recipients are shown.")
    assert "Only" not in render_queue.recipients([row], NOW, limit=2)
