"""The secrets area of the data dir: private keys and the admin password hash.

Files here are mode 0600 in a 0700 folder and are never part of a versioned
document. A user is the name of a `<user>.password` file here: a name given at
login is only ever compared with that list, never made into a path itself. Keys are
content-addressed by `certs.key_id`, so every version that names a key can still find
it (rollbacks keep working) and writing the same key twice is harmless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import tempfile
from pathlib import Path

from state import certs, messages
from state.errors import CertError, StateError

_SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024}
_PASSWORD_SUFFIX = ".password"
# Login names as on Unix systems: no dots, no slashes, nothing a path could make use of.
_USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
# Checked in place of a missing user's hash, so an unknown name costs the same time.
_NO_SUCH_USER = "scrypt$" + base64.b64encode(b"\0" * 16).decode() + "$"


def is_user_name(name: str) -> bool:
    return _USER_NAME.fullmatch(name) is not None


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, atomically. The temporary file is this
    writer's own: a cluster member's follower and its shell may write the same password
    file at once (a shared name made one of them fail with FileNotFoundError)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
            raise StateError(messages.BAD_KEY_ID())
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
            raise CertError(messages.KEY_NOT_STORED(key=kid[:12]))
        return path

    def load_key(self, kid: str) -> certs.PrivateKey:
        return certs.parse_private_key(self.key_path(kid).read_text())

    # -- users and their passwords ----------------------------------------
    def users(self) -> list[str]:
        """Every user that has a password, sorted."""
        names = (p.name.removesuffix(_PASSWORD_SUFFIX) for p in self.root.iterdir()
                 if p.name.endswith(_PASSWORD_SUFFIX))
        return sorted(name for name in names if is_user_name(name))

    def _pw_path(self, user: str) -> Path | None:
        """The password file of a listed user; None for any other name."""
        if user not in self.users():
            return None
        return self.root / f"{user}{_PASSWORD_SUFFIX}"

    def has_password(self, user: str = "admin") -> bool:
        return self._pw_path(user) is not None

    def set_password(self, password: str, user: str = "admin") -> None:
        if not is_user_name(user):
            raise StateError(messages.BAD_USER_NAME(user=user))
        write_private(self.root / f"{user}{_PASSWORD_SUFFIX}", hash_password(password).encode())

    def password_hash(self, user: str = "admin") -> str | None:
        """The stored hash line (for the cluster's shared user database), or None."""
        path = self._pw_path(user)
        try:
            return None if path is None else path.read_text().strip()
        except OSError:
            return None

    def set_password_hash(self, line: str, user: str = "admin") -> None:
        """Store a hash line made by `set_password` elsewhere (a cluster peer)."""
        if line.count("$") != 2 or not line.startswith("scrypt$"):
            raise StateError(messages.BAD_PASSWORD_HASH())
        if not is_user_name(user):
            raise StateError(messages.BAD_USER_NAME(user=user))
        write_private(self.root / f"{user}{_PASSWORD_SUFFIX}", line.encode())

    def check_password(self, password: str, user: str = "admin") -> bool:
        """True only for a listed user and that user's password. Slow on purpose
        (scrypt), and as slow for a name that is not listed."""
        path = self._pw_path(user)
        try:
            record = _NO_SUCH_USER if path is None else path.read_text().strip()
            _, salt64, digest64 = record.split("$")
        except (OSError, ValueError):
            return False
        digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt64), **_SCRYPT)
        return path is not None and hmac.compare_digest(digest, base64.b64decode(digest64))
