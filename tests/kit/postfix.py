"""A real Postfix for tests: a private instance (Debian package postfix) on a loopback port.

    with PostfixServer(ip="127.0.0.31", domain="postfix.test", users=["u"],
                       cert=cert_pem, key=key_pem) as mx:
        ...  # deliver to u@postfix.test on mx.ip:mx.port
        mx.maildir_messages("u")

Everything lives in one private directory: main.cf/master.cf (`postfix -c DIR`),
the queue, the data directory, the virtual mailboxes (Maildir) and Postfix's own
log (`maillog_file`, written by the postlog service). Only an smtpd on `ip:port`
listens; mail for `domain` is delivered by virtual(8) into Maildirs, as the
unprivileged `postfix` user. The directory is made outside pytest's 0700 tmp tree
because Postfix's daemons run as that user and must reach their queue.
Postfix needs root to start; `available()` says whether it can run here.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Self

import trustme

from tests.kit.certs import leaf_pems
from tests.kit.ports import reserve
from tests.kit.processes import Started, wait_listening
from tests.kit.waiting import wait_until

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"

MASTER_CF = """\
{ip}:{port} inet n - n - - smtpd
cleanup    unix n - n - 0 cleanup
qmgr       unix n - n 300 1 qmgr
tlsmgr     unix - - n 1000? 1 tlsmgr
rewrite    unix - - n - - trivial-rewrite
bounce     unix - - n - 0 bounce
defer      unix - - n - 0 bounce
trace      unix - - n - 0 bounce
proxymap   unix - - n - - proxymap
smtp       unix - - n - - smtp
error      unix - - n - - error
retry      unix - - n - - error
discard    unix - - n - - discard
virtual    unix - n n - - virtual
anvil      unix - - n - 1 anvil
scache     unix - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
myhostname = {hostname}
mydomain = {domain}
myorigin = $myhostname
mydestination =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {root}/mail
virtual_mailbox_maps = texthash:{root}/conf/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = {uid}
smtpd_tls_security_level = may
smtpd_tls_cert_file = {root}/conf/cert.pem
smtpd_tls_key_file = {root}/conf/key.pem
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
"""


def available() -> str | None:
    """None when a private Postfix can run here, else why not."""
    if not Path(POSTFIX).exists():
        return "postfix is not installed (Debian package postfix)"
    if os.geteuid() != 0:
        return "postfix needs root to start"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "no postfix user"
    return None


class PostfixServer(Started):
    def __init__(
        self, ip: str, domain: str, users: list[str], cert: str, key: str,
        hostname: str | None = None, main_extra: str = "",
    ) -> None:
        self.main_extra = main_extra  # main.cf lines after ours (the last setting wins)
        self.ip, self.domain, self.users = ip, domain, users
        self.hostname = hostname or f"mx.{domain}"
        self.cert, self.key = cert, key
        self.port = 0
        self.root = Path()

    @classmethod
    def signed_by(cls, ca: trustme.CA, ip: str, domain: str, users: list[str],
                  hostname: str | None = None) -> PostfixServer:
        """A Postfix whose certificate `ca` issued for its host name (mx.`domain`)."""
        host = hostname or f"mx.{domain}"
        chain, key = leaf_pems(ca, host)
        return cls(ip, domain, users, chain, key, hostname=host)

    @property
    def conf(self) -> Path:
        return self.root / "conf"

    @property
    def log_path(self) -> Path:
        return self.root / "postfix.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def maildir_messages(self, user: str) -> list[bytes]:
        new = self.root / "mail" / user / "new"
        return [p.read_bytes() for p in sorted(new.iterdir())] if new.is_dir() else []

    def _write_config(self) -> None:
        owner = pwd.getpwnam("postfix")
        self.conf.mkdir()
        for sub in ("queue", "data", "mail"):
            (self.root / sub).mkdir()
        for sub in ("data", "mail"):
            os.chown(self.root / sub, owner.pw_uid, owner.pw_gid)
        values = {"root": self.root, "ip": self.ip, "port": self.port, "domain": self.domain,
                  "hostname": self.hostname, "uid": owner.pw_uid, "gid": owner.pw_gid}
        (self.conf / "main.cf").write_text(MAIN_CF.format(**values) + self.main_extra)
        (self.conf / "master.cf").write_text(MASTER_CF.format(**values))
        (self.conf / "vmailbox").write_text(
            "".join(f"{u}@{self.domain} {u}/\n" for u in self.users)
        )
        (self.conf / "cert.pem").write_text(self.cert)
        key = self.conf / "key.pem"
        key.touch(0o600)
        key.write_text(self.key)

    def _postfix(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [POSTFIX, "-c", str(self.conf), *args],
            check=False, capture_output=True, text=True, timeout=30,
        )

    def start(self) -> Self:
        self.root = Path(tempfile.mkdtemp(prefix="esacli-postfix-"))
        self.root.chmod(0o755)  # the daemons run as the postfix user
        self.port = reserve(self.ip)
        try:
            self._write_config()
            done = self._postfix("start")
            if done.returncode != 0:
                raise RuntimeError(f"postfix did not start: {done.stderr.strip()}\n{self.log()}")
            try:
                wait_listening(self.port, self.ip, what="postfix")
            except AssertionError:
                raise RuntimeError(f"postfix does not listen on {self.ip}:{self.port}\n"
                                   f"{self.log()}") from None
        except BaseException:
            self.stop()
            raise
        return self

    def master_pid(self) -> int | None:
        path = self.root / "queue" / "pid" / "master.pid"
        try:
            return int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        pid = self.master_pid()
        if pid is not None:
            self._postfix("stop")
            if not _gone(pid, 10.0):
                os.kill(pid, 9)  # only this instance's master, by its pid
                _gone(pid, 5.0)
        shutil.rmtree(self.root, ignore_errors=True)


def _gone(pid: int, timeout: float) -> bool:
    """Wait until process `pid` has ended (a zombie counts as ended)."""
    try:
        wait_until(lambda: _ended(pid), timeout, f"process {pid} to end")
    except AssertionError:
        return False
    return True


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")
