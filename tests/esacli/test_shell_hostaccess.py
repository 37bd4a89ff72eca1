"""HOSTACCESS dialogs (§4.2-4.4): NEW / EDIT / DELETE / MOVE / IMPORT / EXPORT / RESET,
and listenerconfig SETUP. Full screens for the seed flow and the bad-input flow."""

from __future__ import annotations

from esacli import render
from state import formats, model
from state.model import HAT, Behavior, Listener, Response, TLSMode
from state.session import Session
from tests.kit.shell import LocalAppliance, load, run_shell

INTO_HAT = ["listenerconfig", "edit", "InboundMail", "hostaccess"]
OUT = ["", "", "", "exit", "y"]  # HOSTACCESS -> EDIT -> listenerconfig -> prompt, leave
CLEAN_OUT = ["", "", "", "exit"]  # the same with nothing pending
# The §4.4 answers after the four limits: no banner override, no custom 220/554, no rate limit.
NO_EXTRAS = ["", "", "", ""]


def inbound(session: Session) -> Listener:
    found = model.by_name(session.candidate.listeners, "InboundMail")
    assert found is not None
    return found


def names(hat: HAT) -> list[str]:
    return [g.name for g in hat.groups]


def committed(appliance: LocalAppliance) -> str:
    return render.date(appliance.store.info(appliance.store.head_number()).time)


SEED = [
    *INTO_HAT,
    # a policy that requires TLS, everything else "Default"
    "new", "2", "TLS_Required", "1", "y", "", "", "", "", *NO_EXTRAS, "3", "y",
    # the partner's sender group, mapped to it
    "new", "1", "TLS_Senders", "127.0.0.2, 192.0.2.0/28", "10", "Partner must use TLS",
    # below BLACKLIST, above SUSPECTLIST
    "move", "TLS_Senders", "SUSPECTLIST",
    "print",
    "", "", "",
    "commit", "TLS for the partner", "exit",
]


async def test_seed_flow_transcript(appliance: LocalAppliance) -> None:
    screen = await run_shell(appliance.session(), SEED)
    assert screen == load("hat_seed").replace("{committed}", committed(appliance))
    head = model.by_name(appliance.store.load().listeners, "InboundMail")
    assert head is not None
    assert names(head.hat) == ["WHITELIST", "BLACKLIST", "TLS_Senders", "SUSPECTLIST",
                               "UNKNOWNLIST", "ALL"]
    group = head.hat.groups[2]
    assert (group.senders, group.policy, group.comment) == (
        ("127.0.0.2", "192.0.2.0/28"), "TLS_Required", "Partner must use TLS")
    policy = model.by_name(head.hat.policies, "TLS_Required")
    assert policy is not None and policy.behavior is Behavior.ACCEPT
    assert policy.params == model.PolicyParams(tls=TLSMode.REQUIRED)


BAD = [
    *INTO_HAT,
    "new", "1",
    "BLACKLIST", "blacklist", "bad name", "3", "ALL",  # taken, in any case; invalid; number; ALL
    "Partners",
    "10.1.1.300", "", "10.1.1.10-20, mx.partner.example, dnslist[bl.example], 10.2.3.",
    "12", "Policy: NOPE", "2",  # behaviors: out of range, unknown policy, Relay
    "y", "x", "Default", "", "", "",  # parameters: limits left at "Default"
    "y", "bad host!", "gw.example.net",  # banner host override
    "y", "700", "220", "Hi $RemoteIP", "",  # custom acceptance response
    "",  # no custom rejection response
    "y", "0", "1", "y", "", "Slow down", "",  # rate limit with its own 452 text
    "",  # TLS: Enter keeps "Default"
    "partners",
    "new", "2", "THROTTLED", "Relayers", "5", "2", "",
    *OUT,
]


async def test_bad_answers_are_asked_again_and_nothing_is_lost(session: Session) -> None:
    screen = await run_shell(session, BAD)
    assert screen == load("hat_bad_input")
    hat = inbound(session).hat
    group = hat.groups[-2]
    assert group.name == "Partners" and group.behavior is Behavior.RELAY
    assert group.senders == ("10.1.1.10-20", "mx.partner.example", "dnslist[bl.example]",
                             "10.2.3.")
    assert group.params == model.PolicyParams(
        banner_hostname="gw.example.net", accept_response=Response(220, "Hi $RemoteIP"),
        max_rcpts_per_hour=1, rate_limit_response=Response(452, "Slow down"))
    assert group.comment == "partners"
    assert model.by_name(hat.policies, "Relayers") is not None
    assert model.by_name(hat.policies, "Relayers").behavior is Behavior.RELAY  # type: ignore[union-attr]


async def test_edit_group_submenu(session: Session) -> None:
    lines = [*INTO_HAT, "edit", "1", "BLACKLIST",
             "new", "192.0.2.1, sbrs[-10.0:-3.0]", "delete", "1", "rename", "SPAMMERS",
             "policy", "4", "print", "",
             "edit", "2", "THROTTLED", "2", "y", "", "50", "", "", *NO_EXTRAS, "",
             *OUT]
    screen = await run_shell(session, lines)
    hat = inbound(session).hat
    spammers = hat.groups[1]
    assert (spammers.name, spammers.senders) == ("SPAMMERS", ("192.0.2.1",))
    assert (spammers.policy, spammers.behavior) == ("", Behavior.TCPREFUSE)
    assert "Sender Group SPAMMERS: TCPREFUSE\n1. 192.0.2.1" in screen
    throttled = model.by_name(hat.policies, "THROTTLED")
    assert throttled is not None and throttled.behavior is Behavior.RELAY
    assert throttled.params.max_concurrency == 50
    assert throttled.params.max_message_size == 1024 * 1024  # kept: Enter keeps the value


async def test_delete_policy_in_use_asks_and_deletes_its_groups(session: Session) -> None:
    lines = [*INTO_HAT, "delete", "2", "THROTTLED", "n", "delete", "2", "THROTTLED", "y",
             "delete", "2", "ACCEPTED", "delete", "1", "WHITELIST", "n",
             "delete", "1", "WHITELIST", "y", *OUT]
    screen = await run_shell(session, lines)
    assert screen.count('Are you sure you want to delete the sender group "WHITELIST"?') == 2
    assert 'The policy "THROTTLED" is used by these sender groups: SUSPECTLIST.' in screen
    assert 'The policy "ACCEPTED" is used by ALL and cannot be deleted.' in screen
    hat = inbound(session).hat
    assert names(hat) == ["BLACKLIST", "UNKNOWNLIST", "ALL"]
    assert [p.name for p in hat.policies] == ["ACCEPTED", "TRUSTED", "BLOCKED"]


async def test_export_import_round_trip_and_malformed_file(appliance: LocalAppliance) -> None:
    session = appliance.session()
    screen = await run_shell(session, [*INTO_HAT, "export", "hat.txt", *CLEAN_OUT])
    assert screen.count('to the location "/configuration/hat.txt".') == 1
    folder = appliance.store.data_dir / "configuration"
    text = (folder / "hat.txt").read_text()
    assert text == formats.hat_text(inbound(session).hat) + "\n"
    # A changed copy imports; a malformed one is refused with its line, changing nothing.
    (folder / "new.txt").write_text(text.replace("sbrs[none]", "sbrs[none]\n        10.9.9.9"))
    (folder / "bad.txt").write_text(text.replace("sbrs[none]", "10.9.9.999"))
    session = appliance.session()
    screen = await run_shell(session, [*INTO_HAT, "import", "bad.txt", *CLEAN_OUT])
    line = text.splitlines().index("        sbrs[none]") + 1
    assert f'Error on line {line}: Invalid IP or IP range: "10.9.9.999"\nImport failed.' in screen
    assert not session.pending
    screen = await run_shell(session, [*INTO_HAT, "import", "new.txt", *OUT])
    assert 'Imported the file "new.txt".' in screen
    assert inbound(session).hat.groups[3].senders == ("sbrs[-1.0:0.0]", "sbrs[none]", "10.9.9.9")


async def test_reset_and_setup(session: Session) -> None:
    lines = [*INTO_HAT, "delete", "1", "WHITELIST", "y", "reset", "y", "", "", "setup", "y", "",
             "exit", "y"]
    screen = await run_shell(session, lines)
    assert "Perform HAT rejection at the message recipient level instead of at the start of" \
           " the SMTP conversation? [N]> y" in screen
    assert names(inbound(session).hat)[0] == "WHITELIST"
    assert session.candidate.listener_setup.hat_delayed_rejection is True


async def test_a_sender_group_by_certificate_identity(appliance: LocalAppliance) -> None:
    """`cert:` forms (the verified client certificate) are accepted, refused when they name
    no host, and committed as typed in."""
    lines = ["listenerconfig edit InboundMail hostaccess new sendergroup PARTNER"
             " cert:partner.example,cert:.partner.example relay",
             "listenerconfig edit InboundMail hostaccess new sendergroup BAD cert:10.1.1.1 relay",
             "commit", "partner by certificate", "exit"]
    screen = await run_shell(appliance.session(), lines)
    assert 'Invalid IP or IP range: "cert:10.1.1.1"' in screen
    inbound = next(x for x in appliance.store.load().listeners if x.name == "InboundMail")
    groups = {g.name: g.senders for g in inbound.hat.groups}
    assert groups["PARTNER"] == ("cert:partner.example", "cert:.partner.example")
    assert "BAD" not in groups
