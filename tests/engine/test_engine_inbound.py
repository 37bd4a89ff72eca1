"""HAT behaviors, limits, RAT and the spool, on real sockets."""

from __future__ import annotations

import re
from pathlib import Path

from state.model import (
    Behavior,
    Certificate,
    ListenerSetup,
    Policy,
    SenderGroup,
    SmtpTimeouts,
    replace,
)
from tests.engine.builders import config, hat, listener
from tests.kit.engine import log_has, read_mail_logs, running_engine
from tests.kit.smtp import RawSmtp
from tests.kit.waiting import wait_until_async


def blocked(behavior: Behavior) -> Policy:
    return Policy(name="BLOCKED", behavior=behavior)


def local_group() -> tuple[SenderGroup, ...]:
    return (SenderGroup(name="BLACKLIST", senders=("127.0.0.0/8",), policy="BLOCKED"),)


async def mail_transaction(client: RawSmtp, rcpts: list[str], body: str = "hi") -> int:
    await client.cmd("MAIL FROM:<a@b.test>")
    for rcpt in rcpts:
        await client.cmd(f"RCPT TO:<{rcpt}>")
    await client.cmd("DATA")
    return (await client.cmd(f"Subject: t\r\n\r\n{body}\r\n."))[0]


async def test_reject_gets_554_and_close(tmp_path: Path, test_cert: Certificate) -> None:
    the_hat = hat(groups=local_group(), policies=(blocked(Behavior.REJECT),))
    async with running_engine(tmp_path, config(listener(the_hat=the_hat))) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        code, lines = await client.reply()
        assert code == 554 and "rejected" in lines[0]
        assert await client.closed_by_peer()
        await client.close()
        await wait_until_async(log_has(tmp_path, "ICID 1 close"))
    assert "ICID 1 REJECT SG BLACKLIST match 127.0.0.0/8 SBRS None" in read_mail_logs(tmp_path)


async def test_tcprefuse_sends_no_banner(tmp_path: Path) -> None:
    the_hat = hat(groups=local_group(), policies=(blocked(Behavior.TCPREFUSE),))
    async with running_engine(tmp_path, config(listener(the_hat=the_hat))) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        assert await client.closed_by_peer()
        await client.close()
        await wait_until_async(log_has(tmp_path, "ICID 0 TCPREFUSE SG BLACKLIST match 127.0.0.0/8"))
    log = read_mail_logs(tmp_path)
    assert "New SMTP ICID" not in log and "close" not in log


async def test_unknown_command_and_no_auth(tmp_path: Path) -> None:
    async with running_engine(tmp_path, config()) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        assert await client.cmd("XYZZY") == (500, ["500 #5.5.1 command not recognized"])
        # garbage that is not even an ASCII command name gets the same answer
        await client.send(b"\xff\x00garbage\r\n")
        assert await client.reply() == (500, ["500 #5.5.1 command not recognized"])
        assert await client.cmd("") == (500, ["500 #5.5.1 command not recognized"])
        assert (await client.cmd("AUTH PLAIN AGZvbwBiYXI="))[0] == 500
        await client.close()


async def test_message_size_limit(tmp_path: Path) -> None:
    cfg = config(listener(the_hat=hat(max_message_size=1000)))
    async with running_engine(tmp_path, cfg) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        _, ehlo = await client.cmd("EHLO client.test")
        assert "250-SIZE 1000" in ehlo
        assert (await client.cmd("MAIL FROM:<a@b.test> SIZE=5000"))[0] == 552
        code = await mail_transaction(
            client, ["u@example.com"], "x" * 70 + ("\r\n" + "x" * 70) * 20
        )
        assert code == 552
        assert await mail_transaction(client, ["u@example.com"], "small") == 250
        await client.close()
        await wait_until_async(log_has(tmp_path, "Receiving Failed: Message size exceeds limit"))
        assert len(engine.spool.messages()) == 1


async def test_recipients_per_message_limit(tmp_path: Path) -> None:
    cfg = config(listener(the_hat=hat(max_rcpts_per_msg=2)))
    async with running_engine(tmp_path, cfg) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO client.test")
        await client.cmd("MAIL FROM:<a@b.test>")
        assert (await client.cmd("RCPT TO:<u1@example.com>"))[0] == 250
        assert (await client.cmd("RCPT TO:<u2@example.com>"))[0] == 250
        assert await client.cmd("RCPT TO:<u3@example.com>") == (
            452,
            ["452 4.5.3 Too many recipients"],
        )
        await client.close()


async def test_messages_per_connection_limit(tmp_path: Path) -> None:
    cfg = config(listener(the_hat=hat(max_msgs_per_session=1)))
    async with running_engine(tmp_path, cfg) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO client.test")
        assert await mail_transaction(client, ["u@example.com"]) == 250
        assert (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 421
        assert await client.closed_by_peer()
        await client.close()
        # pipelined, as a PIPELINING client sends it: the 421 is written all the same
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO client.test")
        assert await mail_transaction(client, ["u@example.com"]) == 250
        await client.send("RSET\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<u@example.com>\r\nDATA\r\n")
        assert (await client.reply())[0] == 250  # the RSET's, held for its group
        assert await client.reply() == (421, ["421 4.7.0 Too many messages for this session"])
        assert await client.closed_by_peer()
        await client.close()
    assert "Receiving Failed: Too many messages for this session" in read_mail_logs(tmp_path)


async def test_concurrent_connections_per_ip_and_listener(tmp_path: Path) -> None:
    cfg = config(
        listener(the_hat=hat(max_concurrency=2)),
        listener("Small", max_connections=1),
    )
    # At its limit a listener displaces a connection idle this long: not in this test.
    timeouts = SmtpTimeouts(evict_idle=3600.0)
    cfg = replace(cfg, listener_setup=ListenerSetup(timeouts=timeouts))
    async with running_engine(tmp_path, cfg) as engine:
        port = engine.bound_port("InboundMail")
        first, second, third = [await RawSmtp.connect(port) for _ in range(3)]
        assert (await first.reply())[0] == 220 and (await second.reply())[0] == 220
        assert (await third.reply())[0] == 421
        small = engine.bound_port("Small")
        one, two = await RawSmtp.connect(small), await RawSmtp.connect(small)
        assert (await one.reply())[0] == 220 and (await two.reply())[0] == 421
        await first.cmd("QUIT")
        await wait_until_async(lambda: "ICID 1 close" in read_mail_logs(tmp_path))
        again = await RawSmtp.connect(port)
        assert (await again.reply())[0] == 220  # a slot was freed
        for client in (first, second, third, one, two, again):
            await client.close()
    assert "Receiving Failed: Connection limit exceeded" in read_mail_logs(tmp_path)


async def test_rat_and_relay(tmp_path: Path) -> None:
    relay = (SenderGroup(name="RELAYLIST", senders=("127.0.0.1",), policy="RELAYED"),)
    relay_hat = hat(groups=relay, policies=(Policy(name="RELAYED", behavior=Behavior.RELAY),))
    cfg = config(listener(), listener("Relay", the_hat=relay_hat))
    async with running_engine(tmp_path, cfg) as engine:
        accept = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await accept.reply()
        await accept.cmd("EHLO c")
        await accept.cmd("MAIL FROM:<a@b.test>")
        assert (await accept.cmd("RCPT TO:<u@elsewhere.test>"))[0] == 550
        assert (await accept.cmd("RCPT TO:<u@example.com>"))[0] == 250
        relayed = await RawSmtp.connect(engine.bound_port("Relay"))
        await relayed.reply()
        await relayed.cmd("EHLO c")
        assert await mail_transaction(relayed, ["u@elsewhere.test"]) == 250
        for client in (accept, relayed):
            await client.close()
    log = read_mail_logs(tmp_path)
    assert re.search(r"MID 1 ICID 1 To: <u@elsewhere.test> Rejected by RAT", log)
    assert "ICID 2 RELAY SG RELAYLIST match 127.0.0.1 SBRS None" in log


async def test_spool_and_logs_survive_restart_and_ids_do_not_repeat(tmp_path: Path) -> None:
    cfg = config()
    mids: list[int] = []
    for _ in range(2):
        async with running_engine(tmp_path, cfg) as engine:
            client = await RawSmtp.connect(engine.bound_port("InboundMail"))
            await client.reply()
            await client.cmd("EHLO c")
            assert await mail_transaction(client, ["u@example.com", "v@example.com"]) == 250
            await client.cmd("QUIT")
            await client.close()
            mids = [m.mid for m in engine.spool.messages()]
    assert len(mids) == 2 and len(set(mids)) == 2
    log = read_mail_logs(tmp_path)
    assert log.count("Begin Logfile") == 1
    first, second = mids
    for mid in mids:
        assert f"MID {mid} ready " in log
    assert f"Start MID {first} ICID 1" in log and f"Start MID {second} ICID 2" in log
    assert "MID 1 ICID 1 RID 1 To: <v@example.com>" in log
    header = read_mail_logs(tmp_path).splitlines()[:3]
    assert header[0].endswith("Info: Begin Logfile")
    assert re.search(r"Info: Version: \S+ SN: \S+$", header[1])
    assert re.search(r"Info: Time offset from UTC: -?\d+ seconds$", header[2])
    assert re.match(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} Info: ", header[0])


async def test_a_half_close_after_the_last_line_is_answered(tmp_path: Path) -> None:
    """The client sends its message's dot (and QUIT) and shuts its sending side: the
    250 and the 221 still reach it, and then the connection closes."""
    async with running_engine(tmp_path, config()) as engine:
        for tail in (".\r\n", ".\r\nQUIT\r\n"):
            client = await RawSmtp.connect(engine.bound_port("InboundMail"))
            await client.reply()
            await client.cmd("EHLO client.test")
            assert (await client.cmd("MAIL FROM:<a@b.test>"))[0] == 250
            assert (await client.cmd("RCPT TO:<u@example.com>"))[0] == 250
            assert (await client.cmd("DATA"))[0] == 354
            await client.send("Subject: half\r\n\r\nbody\r\n" + tail)
            client.writer.write_eof()
            code, lines = await client.reply()
            assert code == 250, lines
            if "QUIT" in tail:
                assert (await client.reply())[0] == 221
            assert await client.closed_by_peer()
            await client.close()


async def test_nothing_pipelined_behind_a_closing_reply_runs(tmp_path: Path) -> None:
    """Past the unknown-command limit the 421 closes the session: a MAIL and a RCPT sent
    in the same packet are not run (mail_logs has no recipient) and the reason is said;
    nor after QUIT."""
    async with running_engine(tmp_path, config()) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO client.test")
        await client.send("QUIT\r\nMAIL FROM:<q@b.test>\r\nRCPT TO:<q@example.com>\r\n")
        assert (await client.reply())[0] == 221
        assert await client.closed_by_peer()
        await client.close()
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO client.test")
        await client.send("BOGUS\r\n" * 6 + "MAIL FROM:<a@b.test>\r\nRCPT TO:<u@example.com>\r\n")
        codes = [(await client.reply())[0] for _ in range(6)]
        assert codes == [500] * 5 + [421]
        assert await client.closed_by_peer()
        await client.close()
        await wait_until_async(log_has(tmp_path, "ICID 2 close"))
    log = read_mail_logs(tmp_path)
    assert "ICID 2 Receiving Failed: Too many unrecognized commands" in log
    assert "To: <u@example.com>" not in log and "Start MID" not in log
    assert "<q@b.test>" not in log


async def test_garbage_lines_count_as_unknown_commands(tmp_path: Path) -> None:
    """Empty lines and command words that are not ASCII were refused by aiosmtpd before
    the count: a client could send them for ever. A non-ASCII argument is refused in
    the appliance's words."""
    async with running_engine(tmp_path, config()) as engine:
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO client.test")
        assert await client.cmd("RCPT TO:<caf\u00e9@example.com>") == (
            501, ["501 5.5.2 Syntax error: the command holds characters that are not ASCII"])
        await client.send(b"\r\n\xff\r\n\r\n\xfe\xfd\r\nBOGUS\r\n\r\nNOOP\r\n")
        answers = [await client.reply() for _ in range(6)]
        assert answers[:5] == [(500, ["500 #5.5.1 command not recognized"])] * 5
        assert answers[5][0] == 421
        assert await client.closed_by_peer()
        await client.close()
        client = await RawSmtp.connect(engine.bound_port("InboundMail"))
        await client.reply()
        await client.cmd("EHLO client.test")
        await client.send(b"\r\n" * 40)  # those read after the 421: no more lines logged
        assert [(await client.reply())[0] for _ in range(6)] == [500] * 5 + [421]
        assert await client.closed_by_peer()
        await client.close()
        await wait_until_async(log_has(tmp_path, "ICID 2 close"))
    assert read_mail_logs(tmp_path).count("Receiving Failed: Too many unrecognized") == 2
