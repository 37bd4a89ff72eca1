"""A real DNS server for tests: dnsmasq (Debian package dnsmasq-base) on a loopback port.

    with DnsServer(hosts={"mx.partner.example": "127.0.0.2"},
                   mx=[("partner.example", "mx.partner.example", 10)]) as dns:
        resolver_config = DnsSettings(servers=("127.0.0.1",), port=dns.port)

`hosts` gives A and the matching PTR (forward-confirmed); `ptr_only` a PTR with no A;
`addresses` an A record for a name and all its subdomains (DNS lists); `txt` TXT records;
`mx` MX records ("." as the target makes a null MX). Every other name is NXDOMAIN.
"""

from __future__ import annotations

import shutil
import subprocess
import time

from tests.kit.ports import start_on_free_port
from tests.kit.processes import Started, stop_process

DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"


def _reverse(ip: str) -> str:
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"


class DnsServer(Started):
    def __init__(
        self,
        hosts: dict[str, str] | None = None,
        ptr_only: dict[str, str] | None = None,
        addresses: dict[str, str] | None = None,
        txt: dict[str, str] | None = None,
        mx: list[tuple[str, str, int]] | None = None,
        ttl: int = 60,
    ) -> None:
        self.port = 0
        self.args = [f"--local-ttl={ttl}"]
        self.args += [f"--host-record={n},{ip}" for n, ip in (hosts or {}).items()]
        self.args += [f"--ptr-record={_reverse(ip)},{n}" for ip, n in (ptr_only or {}).items()]
        self.args += [f"--address=/{n}/{ip}" for n, ip in (addresses or {}).items()]
        self.args += [f"--txt-record={n},{t}" for n, t in (txt or {}).items()]
        self.args += [f"--mx-host={d},{h},{p}" for d, h, p in (mx or [])]
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> DnsServer:
        self.port = start_on_free_port(self._start_on)
        return self

    def _start_on(self, port: int) -> bool:
        self.port = port
        self._proc = subprocess.Popen(
            [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
             "--no-hosts", f"--port={port}", "--listen-address=127.0.0.1",
             "--bind-interfaces", "--local=/#/", "--pid-file=", "--user=root", *self.args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if self._answers():
            return True
        self.stop()
        return False

    def _answers(self, timeout: float = 5.0) -> bool:
        import dns.message
        import dns.query

        query = dns.message.make_query("probe.invalid", "A")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                return False
            try:
                dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.1)
                return True
            except (OSError, dns.exception.Timeout):
                continue
        return False

    def stop(self) -> None:
        stop_process(self._proc, timeout=5)
        self._proc = None
