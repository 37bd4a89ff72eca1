"""The secrets of a file being loaded: its passphrase, or each masked private key and
password this appliance lacks, asked for one at a time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.userconfig.questions import ask_new_password
from state import certs, config_file, messages
from state.config_file import ConfigFile, FileSecrets
from state.errors import CertError, EncryptedKey, StateError
from state.secrets import hash_password


@dataclass
class Wanted:
    """What loading stages besides the configuration: password hashes by user."""

    passwords: dict[str, str] = field(default_factory=dict)


async def _unlock(ctx: Context, loaded: ConfigFile) -> FileSecrets:
    """The passphrase, asked again until it opens the file (Ctrl-C leaves)."""
    while True:
        passphrase = await ctx.console.ask_secret(texts.configfile.PASSPHRASE_LOAD)
        try:
            return await asyncio.to_thread(config_file.unlock, loaded, passphrase)
        except config_file.WrongPassphrase as wrong:
            ctx.console.say(str(wrong))


async def _paste_key(ctx: Context, kid: str, profiles: str) -> certs.PrivateKey:
    """Read without echo; asked again, saying why, until it is the profile's key."""
    while True:
        pem = await ctx.console.read_block(texts.configfile.LOAD_KEY_PASTE.format(
            profiles=profiles), secret=True)
        key = _pasted_key(pem, kid)
        if not isinstance(key, str):
            return key
        ctx.console.say(key)


def _pasted_key(pem: str, kid: str) -> certs.PrivateKey | str:
    """The private key pasted for the key id `kid`, or why it is not (never a word of it)."""
    try:
        key = certs.parse_private_key(pem)
    except EncryptedKey:
        return texts.configfile.LOAD_KEY_ENCRYPTED
    except CertError:
        return texts.configfile.LOAD_KEY_UNREADABLE
    return key if certs.key_id(key) == kid else messages.FILE_KEY_MISMATCH()


async def gather(ctx: Context, loaded: ConfigFile) -> Wanted:
    """Every private key the file's profiles name stored (this session's, until a commit
    names them), and the passwords to stage."""
    opened = await _unlock(ctx, loaded) if loaded.encrypted else FileSecrets()
    session = ctx.session
    for kid in sorted({c.key_id for c in loaded.config.certificates}):
        if kid in opened.keys:
            try:
                session.put_key(certs.parse_private_key(opened.keys[kid]))
            except CertError as exc:
                raise StateError(messages.FILE_SECRET_DAMAGED(path=f"secret.key[{kid}]")) from exc
        elif not session.secrets.has_key(kid):
            names = ", ".join(c.name for c in loaded.config.certificates if c.key_id == kid)
            session.put_key(await _paste_key(ctx, kid, names))
    wanted = Wanted()
    for account in loaded.config.users:
        here = session.accounts.password_hash(account.name)
        line = opened.passwords.get(account.name)
        if line is not None and line != here:
            wanted.passwords[account.name] = line
        elif line is None and here is None:
            password = await ask_new_password(
                ctx, texts.configfile.LOAD_PASSWORD.format(user=account.name))
            wanted.passwords[account.name] = await asyncio.to_thread(hash_password, password)
    return wanted
