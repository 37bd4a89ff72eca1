"""`reportingconfig`: how long the TLS statistics are kept and whether a weaker partner
TLS sends an alert (SETUP), and the read-only web console (WEBCONSOLE: on or off, its
address and port).

The appliance keeps these in its GUI (reporting) and in `interfaceconfig` (the HTTPS
GUI); here they are one command in the same dialog style. Ranges are state/ranges.py's
(TLS_STATS_DAYS, WEB_PORT), the rules state/edit/reporting.py's; a commit validates them
again (state/validate.py). One-line forms:

    reportingconfig setup <days> <yes | no>
    reportingconfig webconsole disable
    reportingconfig webconsole enable <ip> <port>
"""

from __future__ import annotations

from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.commands.value_questions import ask_accepted, ask_int
from esacli.errors import BatchRefused
from state import ranges
from state.edit import reporting as edit
from state.model import Config

R = texts.reports
ANSWERS = {"yes": True, "y": True, "no": False, "n": False}


def status(config: Config) -> str:
    web = config.web
    shown = (R.REPORTING_WEB_ON.format(ip=web.ip, port=web.port) if web.enabled
             else R.REPORTING_WEB_OFF)
    alerts = R.REPORTING_ENABLED if config.reporting.downgrade_alerts else R.REPORTING_DISABLED
    return R.REPORTING_STATUS.format(days=config.reporting.tls_stats_days, alerts=alerts,
                                     web=shown)


async def setup(ctx: Context) -> None:
    current = ctx.config.reporting
    days = await ask_int(ctx.console, R.REPORTING_DAYS, current.tls_stats_days,
                         ranges.TLS_STATS_DAYS)
    alerts = await ctx.console.confirm(R.REPORTING_ALERTS, current.downgrade_alerts)
    ctx.stage(edit.with_reporting(ctx.config, days, alerts))


async def webconsole(ctx: Context) -> None:
    web = ctx.config.web
    if not await ctx.console.confirm(R.WEB_ENABLE, web.enabled):
        ctx.stage(edit.with_web(ctx.config, False))
        return
    ip = await ask_accepted(ctx.console, R.WEB_IP, edit.web_ip_refusal, web.ip)
    if ip is None:
        return
    port = await ask_int(ctx.console, R.WEB_PORT, web.port, ranges.WEB_PORT)
    if not edit.is_loopback(ip):
        ctx.console.say(R.WEB_NOT_LOOPBACK.format(ip=ip))
    ctx.stage(edit.with_web(ctx.config, True, ip, port))


def setup_batch(ctx: Context, words: list[str]) -> None:
    days = ranges.TLS_STATS_DAYS.parse(words[0]) if len(words) == 2 else None
    alerts = ANSWERS.get(words[1].lower()) if len(words) == 2 else None
    if days is None or alerts is None:
        raise BatchRefused(R.REPORTING_USAGE if days is not None or len(words) != 2
                           else ranges.TLS_STATS_DAYS.message)
    ctx.stage(edit.with_reporting(ctx.config, days, alerts))


def webconsole_batch(ctx: Context, words: list[str]) -> None:
    action = [w.lower() for w in words[:1]]
    if action == ["disable"] and len(words) == 1:
        ctx.stage(edit.with_web(ctx.config, False))
        return
    if action != ["enable"] or len(words) != 3:
        raise BatchRefused(R.REPORTING_USAGE)
    if (why := edit.web_ip_refusal(words[1])) is not None:
        raise BatchRefused(why)
    port = ranges.WEB_PORT.parse(words[2])
    if port is None:
        raise BatchRefused(ranges.WEB_PORT.message)
    ctx.stage(edit.with_web(ctx.config, True, words[1], port))


MENU: Menu[Operation] = Menu.of(R.REPORTING_MENU, {"SETUP": setup, "WEBCONSOLE": webconsole},
                                batch={"SETUP": setup_batch, "WEBCONSOLE": webconsole_batch})


async def run(ctx: Context, args: Sequence[str]) -> None:
    if not args:
        await run_menu(ctx, MENU, lambda: status(ctx.config))
        return
    try:
        form, rest = MENU.batch(args, R.REPORTING_USAGE)
        form(ctx, rest)
    except BatchRefused as refused:
        ctx.refuse(str(refused))


COMMAND = Command("reportingconfig", texts.shell.DESCRIPTIONS["reportingconfig"], run,
                  usage=R.REPORTING_USAGE, takes_args=True)
