"""The cluster key and what it seals.

The cluster key (32 random bytes) is made when the cluster is created. The
database holds it only wrapped: AES-256-GCM under a key derived from the cluster
passphrase with scrypt (salt beside it). A joining machine unwraps it once with
the passphrase and keeps it in its secrets area (0600), as it keeps its private
keys. Private keys travel through the database sealed with AES-256-GCM under the
cluster key, the key id bound as associated data, so a sealed blob cannot be
moved to another key id unnoticed.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from state import certs
from state.cluster import messages
from state.cluster.errors import SealError, WrongPassphrase
from state.errors import CertError

KEY_BYTES = 32
NONCE_BYTES = 12
MIN_PASSPHRASE = 8
_SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
_WRAP_AAD = b"esacli cluster key v1"


def new_cluster_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _kek(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode(), salt=salt, **_SCRYPT)


def wrap(cluster_key: bytes, passphrase: str) -> tuple[bytes, bytes]:
    """(salt, nonce + ciphertext) to store in the database."""
    salt, nonce = os.urandom(16), os.urandom(NONCE_BYTES)
    return salt, nonce + AESGCM(_kek(passphrase, salt)).encrypt(nonce, cluster_key, _WRAP_AAD)


def unwrap(salt: bytes, wrapped: bytes, passphrase: str) -> bytes:
    """The cluster key; WrongPassphrase when the passphrase does not open it."""
    nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        return AESGCM(_kek(passphrase, salt)).decrypt(nonce, body, _WRAP_AAD)
    except InvalidTag:
        raise WrongPassphrase(messages.WRONG_PASSPHRASE()) from None


def seal_key(cluster_key: bytes, key: certs.PrivateKey) -> tuple[str, bytes]:
    """(key id, sealed PEM) of a private key."""
    kid = certs.key_id(key)
    nonce = os.urandom(NONCE_BYTES)
    return kid, nonce + AESGCM(cluster_key).encrypt(nonce, certs.key_pem(key), kid.encode())


def open_key(cluster_key: bytes, kid: str, sealed: bytes) -> certs.PrivateKey:
    """The private key sealed under `kid`; SealError if it does not open or is not it."""
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        pem = AESGCM(cluster_key).decrypt(nonce, body, kid.encode())
        key = certs.parse_private_key(pem.decode())
    except (InvalidTag, CertError, UnicodeDecodeError):
        raise SealError(messages.SEAL_BROKEN()) from None
    if certs.key_id(key) != kid:
        raise SealError(messages.SEAL_BROKEN())
    return key
