"""listenerconfig transcripts (§3, §4): list, NEW, EDIT, HOSTACCESS, DELETE."""

from __future__ import annotations

from esacli import render
from state import formats, model
from state.model import Listener, ListenerType, TLSMode
from state.session import Session
from tests.kit.shell import LocalAppliance, load, run_shell, transcript


def listener(session: Session, name: str) -> Listener:
    found = model.by_name(session.candidate.listeners, name)
    assert found is not None
    return found


def committed(appliance: LocalAppliance) -> str:
    info = appliance.store.info(appliance.store.head_number())
    return render.date(info.time)


async def test_list_and_climb_out(session: Session) -> None:
    screen = await run_shell(session, ["listenerconfig", "", "exit"])
    assert screen == transcript("""
        mail.example.com> listenerconfig

        Currently configured listeners:
        1. InboundMail (on Management, 127.0.0.1) SMTP TCP Port 2525 Public
        2. OutboundMail (on Management, 127.0.0.1) SMTP TCP Port 2526 Private

        Choose the operation you want to perform:
        - NEW - Create a new listener.
        - EDIT - Modify a listener.
        - DELETE - Remove a listener.
        - SETUP - Change global settings.
        []> $

        mail.example.com> exit
        """)


async def test_new_public_listener(session: Session) -> None:
    lines = ["listenerconfig", "new", "", "PartnerIn", "", "", "2600",
             "example.org, .example.org", "n", "y", "4500", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("new_public")
    # exit drops the candidate only when the Session is dropped; here it is still staged
    li = listener(session, "PartnerIn")
    assert (li.type, li.interface, li.port) == (ListenerType.PUBLIC, "Management", 2600)
    assert [(r.address, r.action.value) for r in li.rat] == [
        ("example.org", "ACCEPT"), (".example.org", "ACCEPT"), ("ALL", "REJECT")]
    assert li.hat.default.max_rcpts_per_hour == 4500  # the rate limit answered above


async def test_new_private_listener_with_policy_then_commit(appliance: LocalAppliance) -> None:
    session = appliance.session()
    lines = ["listenerconfig", "NEW", "1", "RelayOut", "Management", "1", "2587",
             "10.0.0.0/8, 192.168.1.", "y", "500k", "", "", "", "", "", "", "", "2", "n", "1", "",
             "commit", "relay listener", "exit"]
    screen = await run_shell(session, lines)
    assert screen == load("new_private").replace("{committed}", committed(appliance))
    li = listener(appliance.session(), "RelayOut")
    assert li.type is ListenerType.PRIVATE
    assert li.hat.groups[0].senders == ("10.0.0.0/8", "192.168.1.")
    assert li.hat.default.max_message_size == 500 * 1024
    assert li.hat.default.tls is TLSMode.NO  # the demo certificate was declined
    assert appliance.store.info(2).comment == "relay listener"


async def test_edit_hostaccess_default_tls_required_then_commit(appliance: LocalAppliance) -> None:
    lines = ["listenerconfig", "edit", "1", "hostaccess", "default", "10M", "20", "", "",
             "", "", "", "", "3", "y", "", "", "", "commit", "TLS required on InboundMail", "exit"]
    screen = await run_shell(appliance.session(), lines)
    assert screen == load("edit_tls_required").replace("{committed}", committed(appliance))
    head = appliance.store.load()
    inbound = model.by_name(head.listeners, "InboundMail")
    assert inbound is not None
    assert inbound.hat.default.tls is TLSMode.REQUIRED
    assert inbound.hat.default.max_concurrency == 20


async def test_hostaccess_print(session: Session) -> None:
    lines = ["listenerconfig", "edit", "2", "HOSTACCESS", "PRINT", "", "", "", "exit"]
    screen = await run_shell(session, lines)
    assert screen == load("hostaccess_print")
    assert not session.pending


async def test_public_hat_print_in_text_format(session: Session) -> None:
    inbound = listener(session, "InboundMail")
    assert formats.hat_text(inbound.hat) == transcript("""
        $ACCEPTED
            ACCEPT
        $THROTTLED
            ACCEPT {
                max_msgs_per_session = 10
                max_concurrency = 10
                max_rcpts_per_msg = 25
                max_message_size = 1048576
            }
        $TRUSTED
            ACCEPT {
                max_msgs_per_session = 5000
                max_concurrency = 600
                max_rcpts_per_msg = 5000
                max_message_size = 104857600
            }
        $BLOCKED
            REJECT
        WHITELIST:
                $TRUSTED (My trusted senders have no anti-spam scanning or rate limiting)
        BLACKLIST:
                sbrs[-10.0:-3.0]
                $BLOCKED (Spammers are rejected)
        SUSPECTLIST:
                sbrs[-3.0:-1.0]
                $THROTTLED (Suspicious senders are throttled)
        UNKNOWNLIST:
                sbrs[-1.0:0.0]
                sbrs[none]
                $ACCEPTED (Reviewed but undecided, continue normal acceptance)
        ALL
            $ACCEPTED""")


async def test_tls_keywords_in_print(session: Session) -> None:
    inbound = listener(session, "InboundMail")
    for mode in TLSMode:
        policy = model.Policy("P", model.Behavior.ACCEPT, model.PolicyParams(tls=mode))
        hat = model.replace(inbound.hat, policies=(policy,), groups=())
        assert formats.hat_text(hat) == f'$P\n    ACCEPT {{\n        tls = "{mode.value}"\n    }}'


async def test_bad_answers_are_asked_again(session: Session) -> None:
    lines = ["listenerconfig", "bogus", "ne", "7", "public", "Inbound Mail", "InboundMail",
             "Partner", "eth9", "management", "", "abc", "70000", "2600", "", "example.org",
             "maybe", "y", "n", "y", "ten", "10M", "0", "5", "", "", "", "", "", "", "9",
             "Required - Verify",
             "y", "edit", "Nope", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("bad_input")
    partner = listener(session, "Partner")
    assert partner.port == 2600
    assert partner.hat.default.tls is TLSMode.REQUIRED_VERIFY
    assert partner.hat.default.max_concurrency == 5


async def test_edit_name_interface_limits_certificate_and_delete(session: Session) -> None:
    lines = ["listenerconfig", "edit", "OutboundMail", "name", "InboundMail", "Relay",
             "interface", "", "", "2588", "limits", "x", "100", "", "certificate", "", "n",
             "1", "y", "", "delete", "Relay", "n", "delete", "2", "y", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("edit_ops")
    assert [li.name for li in session.candidate.listeners] == ["InboundMail"]


async def test_edit_steps_stage_as_they_complete(session: Session) -> None:
    lines = ["listenerconfig", "edit", "2", "name", "Relay", "limits", "100", "", "", "",
             "exit", "y"]
    await run_shell(session, lines)
    relay = listener(session, "Relay")
    assert (relay.port, relay.max_connections, relay.tcp_queue) == (2526, 100, 50)
    assert [li.name for li in session.candidate.listeners] == ["InboundMail", "Relay"]
