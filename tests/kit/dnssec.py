"""A DNSSEC-signed test DNS: NSD serving zones signed by ldns-signzone, and Unbound validating
them with the first zone's key as its trust anchor (Debian packages nsd, ldnsutils, unbound).

    zones = [Zone("dane.test", [("mx", "A", "127.0.0.1"), ("@", "MX", "10 mx.dane.test.")]),
             Zone("bogus.dane.test", [...], signing=EXPIRED),
             Zone("plain.dane.test", [...], signing=UNSIGNED)]
    with SignedDns(zones) as dns:
        DnsSettings(servers=("127.0.0.1",), port=dns.port)     # the validating resolver

The first zone is the trust anchor and must be signed; every other zone is delegated from
the longest zone above it (NS to ns.<anchor>, and a DS when it is signed, so a zone signed
with EXPIRED signatures is bogus and an UNSIGNED one is an insecure delegation; a LAME one
has no zone file, so NSD answers SERVFAIL for it, as a broken server does). Records are
(owner, type, data); the owner is relative to the zone ("@" for the apex). Both servers run
on free loopback ports in a temporary directory and are stopped by their pid. `auth_port`
is NSD's port, for queries that must bypass validation.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode

from tests.kit.ports import start_on_free_port
from tests.kit.processes import Started, stop_process

VALID = "valid"
EXPIRED = "expired"  # signed, with signatures that expired long ago: bogus
UNSIGNED = "unsigned"  # an insecure delegation (no DS in the parent)
LAME = "lame"  # delegated (unsigned) to a server that refuses it: every lookup fails

NSD = shutil.which("nsd") or "/usr/sbin/nsd"
UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
KEYGEN = shutil.which("ldns-keygen") or "/usr/bin/ldns-keygen"
SIGNZONE = shutil.which("ldns-signzone") or "/usr/bin/ldns-signzone"


def available() -> bool:
    return all(Path(tool).exists() for tool in (NSD, UNBOUND, KEYGEN, SIGNZONE))


Record = tuple[str, str, str]


@dataclass
class Zone:
    name: str
    records: list[Record] = field(default_factory=list)
    signing: str = VALID

    @property
    def origin(self) -> str:
        return self.name.rstrip(".") + "."


def _parent(zone: Zone, zones: list[Zone]) -> Zone | None:
    above = [z for z in zones if zone.origin.endswith("." + z.origin)]
    return max(above, key=lambda z: len(z.origin)) if above else None


class SignedDns(Started):
    def __init__(self, zones: list[Zone]) -> None:
        if not zones or zones[0].signing != VALID:
            raise ValueError("the first zone is the trust anchor and must be validly signed")
        self.zones = zones
        self.anchor = zones[0]
        self.port = 0  # Unbound, validating
        self.auth_port = 0  # NSD, authoritative
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._procs: list[subprocess.Popen[bytes]] = []
        self._ds: dict[str, str] = {}

    # -- zone files ------------------------------------------------------------
    def _write_zones(self, root: Path) -> None:
        # Children first: their DS records go into the parent before it is signed.
        for zone in sorted(self.zones, key=lambda z: -z.origin.count(".")):
            path = root / f"{zone.origin}zone"
            if zone.signing == LAME:
                continue
            if zone.signing == UNSIGNED:
                path.write_text(self._zone_text(zone))
            else:
                source = root / f"{zone.origin}in"
                source.write_text(self._zone_text(zone))
                self._sign(root, zone, source, path)

    def _zone_text(self, zone: Zone) -> str:
        ns = f"ns.{self.anchor.origin}"
        lines = [
            f"$ORIGIN {zone.origin}", "$TTL 60",
            f"@ IN SOA {ns} hostmaster.{self.anchor.origin} 1 3600 600 86400 60",
            f"@ IN NS {ns}",
        ]
        if zone is self.anchor:
            lines.append("ns IN A 127.0.0.1")
        for child in self.zones:
            if child is not zone and _parent(child, self.zones) is zone:
                lines.append(f"{child.origin} IN NS {ns}")
                if child.origin in self._ds:
                    lines.append(self._ds[child.origin])
        lines += [f"{owner} IN {rtype} {data}" for owner, rtype, data in zone.records]
        return "\n".join(lines) + "\n"

    def _sign(self, root: Path, zone: Zone, source: Path, path: Path) -> None:
        base = subprocess.run(
            [KEYGEN, "-a", "ECDSAP256SHA256", "-k", zone.origin], cwd=root,
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        self._ds[zone.origin] = (root / f"{base}.ds").read_text().strip()
        dates = ["-i", "20000101000000", "-e", "20000201000000"] if zone.signing == EXPIRED else []
        subprocess.run(
            [SIGNZONE, *dates, "-f", str(path), str(source), base], cwd=root,
            check=True, capture_output=True,
        )

    # -- configuration -----------------------------------------------------------
    def _nsd_conf(self, root: Path) -> Path:
        conf = [
            "server:", f"  ip-address: 127.0.0.1@{self.auth_port}", f"  port: {self.auth_port}",
            '  username: ""', '  chroot: ""', f'  zonesdir: "{root}"', '  database: ""',
            f'  pidfile: "{root}/nsd.pid"', f'  xfrdfile: "{root}/xfrd.state"',
            f'  zonelistfile: "{root}/zone.list"', f'  logfile: "{root}/nsd.log"',
            "  server-count: 1", "  verbosity: 1", "  do-ip6: no",
            "remote-control:", "  control-enable: no",
        ]
        for zone in self.zones:  # a LAME zone's file does not exist: NSD answers SERVFAIL
            conf += ["zone:", f"  name: {zone.origin}", f'  zonefile: "{zone.origin}zone"']
        path = root / "nsd.conf"
        path.write_text("\n".join(conf) + "\n")
        return path

    def _unbound_conf(self, root: Path) -> Path:
        conf = [
            "server:", "  interface: 127.0.0.1", f"  port: {self.port}", "  do-daemonize: no",
            '  username: ""', '  chroot: ""', f'  directory: "{root}"',
            f'  pidfile: "{root}/unbound.pid"', "  use-syslog: no",
            f'  logfile: "{root}/unbound.log"', "  verbosity: 1", "  val-log-level: 2",
            "  num-threads: 1", "  outgoing-range: 64", "  do-ip6: no", "  so-reuseport: no",
            "  access-control: 127.0.0.0/8 allow", "  do-not-query-localhost: no",
            '  module-config: "validator iterator"', "  qname-minimisation: no", "  ede: yes",
            f'  trust-anchor: "{self._ds[self.anchor.origin]}"',
            # Nothing outside the test zones is ever asked of the Internet's root.
            '  local-zone: "." refuse', f'  local-zone: "{self.anchor.origin}" transparent',
            "remote-control:", "  control-enable: no",
        ]
        for zone in self.zones:
            conf += ["stub-zone:", f'  name: "{zone.origin}"',
                     f"  stub-addr: 127.0.0.1@{self.auth_port}"]
        path = root / "unbound.conf"
        path.write_text("\n".join(conf) + "\n")
        return path

    # -- processes -----------------------------------------------------------------
    def start(self) -> SignedDns:
        self._dir = tempfile.TemporaryDirectory(prefix="esacli-dnssec-")
        root = Path(self._dir.name)
        self._write_zones(root)
        try:
            self.auth_port = start_on_free_port(lambda port: self._nsd(root, port))
        except RuntimeError:
            self.stop()
            raise RuntimeError("nsd did not start: " + _tail(root / "nsd.log")) from None
        try:
            self.port = start_on_free_port(lambda port: self._unbound(root, port))
        except RuntimeError:
            self.stop()
            raise RuntimeError("unbound did not validate: " + _tail(root / "unbound.log")) from None
        return self

    def _nsd(self, root: Path, port: int) -> bool:
        self.auth_port = port
        nsd = self._spawn([NSD, "-d", "-c", str(self._nsd_conf(root))])
        return self._answers(port, validated=False, proc=nsd) or self._stop(nsd)

    def _unbound(self, root: Path, port: int) -> bool:
        self.port = port
        unbound = self._spawn([UNBOUND, "-d", "-c", str(self._unbound_conf(root))])
        return self._answers(port, validated=True, proc=unbound) or self._stop(unbound)

    def _spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._procs.append(proc)
        return proc

    def _answers(self, port: int, validated: bool, proc: subprocess.Popen[bytes]) -> bool:
        """The anchor's SOA answered (with the AD bit when asking the validator)."""
        query = dns.message.make_query(self.anchor.origin, "SOA", want_dnssec=True)
        query.flags |= dns.flags.AD
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
            except (OSError, dns.exception.Timeout):
                continue
            if reply.rcode() == dns.rcode.NOERROR and (
                not validated or reply.flags & dns.flags.AD
            ):
                return True
            time.sleep(0.05)  # a resolver that answers but does not validate yet
        return False

    def _stop(self, proc: subprocess.Popen[bytes]) -> bool:
        """Stop one of our servers; False, for `start`'s retries."""
        stop_process(proc, timeout=5)
        if proc in self._procs:
            self._procs.remove(proc)
        return False

    def stop(self) -> None:
        for proc in list(reversed(self._procs)):
            self._stop(proc)
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


def _tail(path: Path) -> str:
    try:
        return path.read_text()[-2000:]
    except OSError:
        return "(no log)"
