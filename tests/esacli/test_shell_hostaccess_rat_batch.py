"""RCPTACCESS dialogs (§5) and the listenerconfig batch forms (§1.4)."""

from __future__ import annotations

from state import formats, model
from state.model import Behavior, Listener, RatAction, RatEntry, Response, TLSMode
from state.session import Session
from tests.kit.shell import LocalAppliance, run_shell

INTO_RAT = ["listenerconfig", "edit", "InboundMail", "rcptaccess"]
OUT = ["", "", "", "exit", "y"]


def inbound(session: Session) -> Listener:
    found = model.by_name(session.candidate.listeners, "InboundMail")
    assert found is not None
    return found


async def test_rat_new_edit_delete_print(session: Session) -> None:
    lines = [*INTO_RAT,
             "new", "", "foo@@bar", "example.com", "postmaster@", "1", "n", "y",
             "new", "bad@example.com", "2", "y", "200", "550", "5.1.1 No such user", "",
             "edit", "nobody.test", "postmaster@", "2", "n",
             "delete", "ALL", "delete", "example.com",
             "print", *OUT]
    screen = await run_shell(session, lines)
    assert "A Recipient Access Table address can be one of the following" in screen
    assert 'The address "example.com" is already in the table.' in screen
    assert "The value must be an SMTP code from 400 to 599." in screen
    assert 'The address "nobody.test" is not in the table.' in screen
    assert "The ALL entry cannot be removed." in screen
    assert inbound(session).rat == (
        RatEntry(address="postmaster@", action=RatAction.REJECT),
        RatEntry(address="bad@example.com", action=RatAction.REJECT, response_code=550,
                 response_text="5.1.1 No such user"),
        RatEntry(address="ALL", action=RatAction.REJECT),
    )
    assert "Recipient Access Table\n\npostmaster@" in screen


async def test_rat_export_import_and_clear(appliance: LocalAppliance) -> None:
    session = appliance.session()
    folder = appliance.store.data_dir / "configuration"
    folder.mkdir()
    (folder / "rat.txt").write_text("# partners\nexample.org ACCEPT BYPASS\nALL REJECT\n")
    (folder / "bad.txt").write_text("example.org ACCEPT\nexample.org REJECT\nALL REJECT\n")
    screen = await run_shell(session, [*INTO_RAT, "import", "bad.txt", "import", "rat.txt",
                                       "export", "out.txt", "clear", "1", *OUT])
    assert 'Error on line 2: Duplicate entry "example.org"' in screen
    assert formats.parse_rat((folder / "out.txt").read_text()) == (
        RatEntry(address="example.org", action=RatAction.ACCEPT, bypass_receiving_control=True),
        RatEntry(address="ALL", action=RatAction.REJECT))
    assert inbound(session).rat == (RatEntry(address="ALL", action=RatAction.ACCEPT),)


async def test_private_listeners_have_no_rcptaccess(session: Session) -> None:
    screen = await run_shell(session, ["listenerconfig", "edit", "OutboundMail", "", "", "exit"])
    assert "RCPTACCESS" not in screen.split("OutboundMail", 2)[2]


BATCH = "listenerconfig edit InboundMail hostaccess "


async def test_batch_forms_share_the_dialog_checks(appliance: LocalAppliance) -> None:
    session = appliance.session()
    lines = [
        BATCH + "new policy TLS_Required accept --tls=required --max_conn=default",
        BATCH + "new sendergroup TLS_Senders 192.0.2.10,192.0.2.0/28 TLS_Required",
        BATCH + "new sendergroup Bad 10.1.1.300 accept",
        BATCH + "new sendergroup BLACKLIST 10.1.1.1 accept",
        BATCH + "new sendergroup Other 10.1.1.1 NOPE",
        BATCH + "new sendergroup Slow 10.9.9.9 accept --rate_lim=5 --cust_lim=Later",
        BATCH + "default --max_conn=default",
        BATCH + "default --tls=sometimes",
        BATCH + "move TLS_Senders SUSPECTLIST",
        BATCH + "delete",
        BATCH + "import",
        "listenerconfig edit Nope hostaccess print",
        "listenerconfig edit InboundMail rcptaccess new partner.example accept",
        "commit", "batch", "exit",
    ]
    screen = await run_shell(session, lines)
    for message in ['Invalid IP or IP range: "10.1.1.300"',
                    'A sender group named "BLACKLIST" already exists.',
                    "Invalid selected behavior: NOPE",
                    '"max_conn" can only be "default" when working with policies.',
                    'Invalid "tls" value: sometimes',
                    ('The hostaccess "delete" command requires either "sendergroup" or "policy"'
                    ' and a name.'),
                    'The hostaccess "import" command requires a filename',
                    'Unknown listener "Nope".']:
        assert message in screen, message
    head = model.by_name(appliance.store.load().listeners, "InboundMail")
    assert head is not None
    names = [g.name for g in head.hat.groups]
    assert names == ["WHITELIST", "BLACKLIST", "TLS_Senders", "SUSPECTLIST", "UNKNOWNLIST",
                     "Slow", "ALL"]
    policy = model.by_name(head.hat.policies, "TLS_Required")
    assert policy is not None and policy.params == model.PolicyParams(tls=TLSMode.REQUIRED)
    slow = head.hat.groups[5]
    assert (slow.behavior, slow.params.max_rcpts_per_hour) == (Behavior.ACCEPT, 5)
    assert slow.params.rate_limit_response == Response(452, "Later")
    assert head.rat[-2].address == "partner.example"
