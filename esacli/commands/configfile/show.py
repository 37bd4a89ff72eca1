"""`showconfig`, `saveconfig`, `mailconfig` (§2.5): the committed configuration as one
file (state/config_file.py), shown, written to the configuration folder, or mailed.

mailconfig hands the file to the engine's own queue and delivery: an SMTP submission to
this appliance's first private listener (as any of its users' mail would arrive), so it
travels under the destination controls and TLS policies committed for its domain.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from collections.abc import Sequence
from email.message import EmailMessage

from esacli import texts
from esacli.commands import config_files
from esacli.commands.configfile.passphrase import file_text
from esacli.commands.context import Context
from esacli.commands.menu import Command
from state.model import Config, ListenerType
from state.validate_outbound import is_email

SUBMIT_TIMEOUT = 30.0


async def showconfig(ctx: Context, args: Sequence[str]) -> None:
    text = await file_text(ctx)
    ctx.console.write("\n" + text)


def _file_name(ctx: Context) -> str:
    """A name of its second, not one a save of the same second took (`-2`, `-3`...)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(ctx.clock()))
    taken = config_files.folder(ctx)
    for n in range(1, 1000):
        name = texts.configfile.FILE_NAME.format(
            hostname=ctx.config.hostname, stamp=stamp if n == 1 else f"{stamp}-{n}")
        if not (taken / name).exists():
            break
    return name


async def saveconfig(ctx: Context, args: Sequence[str]) -> None:
    text = await file_text(ctx)
    name = _file_name(ctx)
    if config_files.write_quietly(ctx, name, text):
        ctx.console.say("\n".join([
            texts.configfile.SAVED_FILE.format(hostname=ctx.config.hostname, name=name),
            texts.configfile.SAVED]))


async def _address(ctx: Context) -> str:
    while True:
        answer = await ctx.console.ask(texts.configfile.MAIL_TO)
        if is_email(answer):
            return answer
        ctx.console.say(texts.configfile.MAIL_BAD_ADDRESS)


def _submission(config: Config) -> tuple[str, int] | None:
    """Where this appliance takes its own users' mail: its first private listener."""
    for listener in config.listeners:
        if listener.type is ListenerType.PRIVATE:
            iface = next((i for i in config.interfaces if i.name == listener.interface), None)
            if iface is not None:
                return iface.ip, listener.port
    return None


def _message(config: Config, sender: str, to: str, name: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, to
    msg["Subject"] = texts.configfile.MAIL_SUBJECT.format(hostname=config.hostname)
    msg.set_content(texts.configfile.MAIL_BODY.format(hostname=config.hostname, name=name))
    msg.add_attachment(text.encode(), maintype="text", subtype="plain", filename=name)
    return msg


def _submit(address: tuple[str, int], msg: EmailMessage) -> None:
    with smtplib.SMTP(*address, timeout=SUBMIT_TIMEOUT) as smtp:
        smtp.send_message(msg)


async def mailconfig(ctx: Context, args: Sequence[str]) -> None:
    to = await _address(ctx)
    text = await file_text(ctx)
    config = ctx.session.store.load()
    where = _submission(config)
    if where is None:
        ctx.refuse(texts.configfile.MAIL_NO_LISTENER)
        return
    sender = config.alerts.from_address or f"configuration@{config.hostname}"
    msg = _message(config, sender, to, _file_name(ctx), text)
    try:
        await asyncio.to_thread(_submit, where, msg)
    except (OSError, smtplib.SMTPException) as exc:
        reason = getattr(exc, "smtp_error", b"").decode(errors="replace") or type(exc).__name__
        ctx.refuse(texts.configfile.MAIL_REFUSED.format(reason=reason))
        return
    ctx.console.say(texts.configfile.MAIL_SENT.format(address=to))


SHOWCONFIG = Command("showconfig", texts.shell.DESCRIPTIONS["showconfig"], showconfig)
SAVECONFIG = Command("saveconfig", texts.shell.DESCRIPTIONS["saveconfig"], saveconfig)
MAILCONFIG = Command("mailconfig", texts.shell.DESCRIPTIONS["mailconfig"], mailconfig)
