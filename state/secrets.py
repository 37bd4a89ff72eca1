"""The secrets area of the data dir: private keys and the admin password hash.

Files here are mode 0600 in a 0700 folder and are never part of a versioned
document. Keys are content-addressed by `certs.key_id`, so every version that
names a key can still find it (rollbacks keep working) and writing the same key
twice is harmless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from state import certs
from state.errors import CertError, StateError

_SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024}


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def hash_password(password: str) -> str:
    """The stored form of a password: `scrypt$<salt>$<digest>` (base64)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


class Secrets:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "secrets"
        (self.root / "keys").mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        os.chmod(self.root / "keys", 0o700)

    def _key_path(self, kid: str) -> Path:
        if not kid or not all(c in "0123456789abcdef" for c in kid):
            raise StateError("bad key id")
        return self.root / "keys" / f"{kid}.pem"

    def put_key(self, key: certs.PrivateKey) -> str:
        kid = certs.key_id(key)
        path = self._key_path(kid)
        if not path.exists():
            write_private(path, certs.key_pem(key))
        return kid

    def has_key(self, kid: str) -> bool:
        return self._key_path(kid).exists()

    def remove_key(self, kid: str) -> None:
        self._key_path(kid).unlink(missing_ok=True)

    def key_path(self, kid: str) -> Path:
        path = self._key_path(kid)
        if not path.exists():
            raise CertError(f"private key {kid[:12]}... is missing from the secrets area")
        return path

    def load_key(self, kid: str) -> certs.PrivateKey:
        return certs.parse_private_key(self.key_path(kid).read_text())

    # -- admin password -------------------------------------------------
    def _pw_path(self, user: str) -> Path:
        return self.root / f"{user}.password"

    def has_password(self, user: str = "admin") -> bool:
        return self._pw_path(user).exists()

    def set_password(self, password: str, user: str = "admin") -> None:
        write_private(self._pw_path(user), hash_password(password).encode())

    def password_hash(self, user: str = "admin") -> str | None:
        """The stored hash line (for the cluster's shared user database), or None."""
        try:
            return self._pw_path(user).read_text().strip()
        except OSError:
            return None

    def set_password_hash(self, line: str, user: str = "admin") -> None:
        """Store a hash line made by `set_password` elsewhere (a cluster peer)."""
        if line.count("$") != 2 or not line.startswith("scrypt$"):
            raise StateError("bad password hash")
        if not user or user.startswith(".") or not all(c.isalnum() or c in "_.-" for c in user):
            raise StateError("bad user name")
        write_private(self._pw_path(user), line.encode())

    def password_users(self) -> list[str]:
        return sorted(p.name[: -len(".password")] for p in self.root.glob("*.password"))

    def check_password(self, password: str, user: str = "admin") -> bool:
        try:
            _, salt64, digest64 = self._pw_path(user).read_text().strip().split("$")
        except (OSError, ValueError):
            return False
        digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt64), **_SCRYPT)
        return hmac.compare_digest(digest, base64.b64decode(digest64))
