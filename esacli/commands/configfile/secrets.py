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
from state.errors import CertError, StateError
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
    while True:
        pem = await ctx.console.read_block(texts.configfile.LOAD_KEY_PASTE.format(
            profiles=profiles))
        try:
            key = certs.parse_private_key(pem)
        except CertError as exc:
            ctx.console.say(str(exc))
            continue
        if certs.key_id(key) == kid:
            return key
        ctx.console.say(messages.FILE_KEY_MISMATCH())


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
