"""The `esacli` command: `esacli run` boots the appliance, `esacli shell` opens a console."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import sys
from pathlib import Path

from state import ranges
from state.defaults import FACTORY_LISTENERS
from state.numbers import Range

DEFAULT_DATA = "./esa-data"
DEFAULT_SSH = "127.0.0.1:2222"


def _host_port(text: str, ports: Range = ranges.BIND_PORT) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    number = ports.parse(port) if sep else None
    if number is None:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "127.0.0.1", number


def _listener_address(text: str) -> tuple[str, int]:
    """IP:PORT for a factory listener (an interface needs an IP address; port 1-65535)."""
    host, port = _host_port(text, ranges.PORT)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected IP:PORT, got {text!r}") from None
    return host, port


def _workers(text: str) -> int:
    number = ranges.SMTP_WORKERS.parse(text)
    if number is None or number == 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of SMTP workers from 1 to {ranges.SMTP_WORKERS.high}, got {text!r}")
    return number


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="esacli", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="start the appliance (engine and SSH server) in the foreground")
    run.add_argument("--data", type=Path, default=Path(DEFAULT_DATA), help="data directory")
    run.add_argument("--ssh", type=_host_port, default=_host_port(DEFAULT_SSH), help="HOST:PORT")
    run.add_argument(
        "--admin-password",
        default=os.environ.get("ESACLI_ADMIN_PASSWORD"),
        help="admin password (or ESACLI_ADMIN_PASSWORD); generated on first boot if absent",
    )
    for option, name in (("--inbound", "InboundMail"), ("--outbound", "OutboundMail")):
        run.add_argument(option, type=_listener_address, metavar="IP:PORT",
                         help=f"first boot: where {name} listens (default: 127.0.0.1:"
                              f"{FACTORY_LISTENERS[name][1][1]})")
    run.add_argument("--web", type=_listener_address, metavar="IP:PORT",
                     help="serve the read-only web console on this HTTPS address (this run;"
                          " otherwise where the configuration says, off by default)")
    run.add_argument("--workers", type=_workers, metavar="N",
                     help="SMTP worker processes (this run; otherwise listener_setup.smtp_workers"
                          " of the configuration, by default one per core)")
    shell = sub.add_parser("shell", help="open a console session on the data directory")
    shell.add_argument("--data", type=Path, default=Path(DEFAULT_DATA), help="data directory")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from esacli import appliance
    from esacli.errors import BootError

    try:
        if args.command == "run":
            from engine.worker import runner  # uvloop, as the workers (the shell: asyncio)

            host, port = args.ssh
            addresses = {name: address for name, address in
                         (("InboundMail", args.inbound), ("OutboundMail", args.outbound))
                         if address is not None}
            runner()(appliance.run(args.data, host, port, args.admin_password, addresses,
                                   args.web, args.workers))
            return 0
        return asyncio.run(appliance.console(args.data))
    except KeyboardInterrupt:  # a Ctrl-C before the appliance's own handlers are in place
        return 130
    except BootError as exc:
        print(f"esacli: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
