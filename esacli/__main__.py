"""The `esacli` command: `esacli run` boots the appliance, `esacli shell` opens a console."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

DEFAULT_DATA = "./esa-data"
DEFAULT_SSH = "127.0.0.1:2222"


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="esacli", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the appliance (engine and SSH server) in the foreground")
    run.add_argument("--data", type=Path, default=Path(DEFAULT_DATA), help="data directory")
    run.add_argument("--ssh", type=_host_port, default=_host_port(DEFAULT_SSH), help="HOST:PORT")
    run.add_argument(
        "--admin-password",
        default=os.environ.get("ESACLI_ADMIN_PASSWORD"),
        help="admin password (or ESACLI_ADMIN_PASSWORD); generated on first boot if absent",
    )
    shell = sub.add_parser("shell", help="open a console session on the data directory")
    shell.add_argument("--data", type=Path, default=Path(DEFAULT_DATA), help="data directory")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from esacli import appliance

    try:
        if args.command == "run":
            host, port = args.ssh
            asyncio.run(appliance.run(args.data, host, port, args.admin_password))
            return 0
        return asyncio.run(appliance.console(args.data))
    except KeyboardInterrupt:  # a Ctrl-C before the appliance's own handlers are in place
        return 130
    except appliance.BootError as exc:
        print(f"esacli: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
