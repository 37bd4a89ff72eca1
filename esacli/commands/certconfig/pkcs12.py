"""certconfig CERTIFICATE -> IMPORT and EXPORT: PKCS#12 files in `configuration/`.

An export carries the key only inside the passphrase-protected PKCS#12 and is
written 0600; passphrases are read without echo and never kept.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from esacli import texts
from esacli.commands import config_files
from esacli.commands.certconfig import questions
from esacli.commands.context import Context
from esacli.console import Console
from state import certs, model
from state.errors import CertError, Pkcs12Refused, StateError
from state.model import Certificate
from state.secrets import write_private


async def import_profile(ctx: Context) -> None:
    console = ctx.console
    name = await questions.new_profile_name(ctx)
    if name is None:
        return
    data = await read_file(ctx)
    unlocked = await _unlock(console, data)
    if unlocked is None:
        return
    key, chain = unlocked
    if not await questions.accept_validity(ctx, chain[0]):
        return
    if not await questions.fqdn_ok(console, chain[0]):
        return
    profile = Certificate(
        name=name, chain=tuple(certs.normalise_pem(c) for c in chain),
        key_id=ctx.session.put_key(key),
    )
    ctx.stage(model.replace(ctx.config, certificates=model.put(ctx.config.certificates, profile)))


async def read_file(ctx: Context) -> bytes:
    """Ask for a file in the configuration directory until one can be read."""
    folder = config_files.folder(ctx)
    question = texts.cert.CERT_IMPORT_FILE.format(host=ctx.config.hostname)
    while True:
        name = await ctx.console.ask(question)
        if not name:
            ctx.console.say(texts.shell.ENTER_A_VALUE)
            continue
        path = folder / name
        try:
            if config_files.valid_name(name) and path.is_file():
                return path.read_bytes()
        except OSError:
            pass
        ctx.console.say(texts.cert.CERT_FILE_MISSING.format(file=name))


async def _unlock(
    console: Console, data: bytes
) -> tuple[certs.PrivateKey, tuple[x509.Certificate, ...]] | None:
    """The passphrase is asked again until the file opens; None when the file opens
    but can never be a profile (no key, or a key that is not the certificate's)."""
    while True:
        passphrase = await console.ask_secret(texts.cert.P12_PASSPHRASE)
        try:
            return certs.from_pkcs12(data, passphrase)
        except Pkcs12Refused:
            console.say(texts.cert.P12_REFUSED)
        except CertError:
            console.say(texts.cert.P12_NO_KEY)
            return None


async def export_profile(ctx: Context) -> None:
    console = ctx.console
    profile = await questions.choose_profile(ctx, texts.cert.CERT_EXPORT_WHICH)
    if profile is None:
        return
    path = await ask_new_file(ctx)
    if path is None:
        return
    passphrase = await _new_passphrase(console, path.name)
    try:
        key = ctx.session.secrets.load_key(profile.key_id)
        data = certs.to_pkcs12(profile.name, key, profile.chain, passphrase)
        write_private(path, data)
    except (StateError, OSError):
        console.say(texts.cert.CERT_FILE_UNWRITABLE.format(file=path.name))
        return
    console.say(texts.cert.CERT_FILE_WRITTEN.format(file=path.name))


async def ask_new_file(ctx: Context) -> Path | None:
    """A file of the configuration directory to write (config_files.ask_new_name: an
    existing one only if the user says so); None for an empty answer."""
    name = await config_files.ask_new_name(ctx, texts.cert.CERT_EXPORT_FILE)
    if name is None:
        return None
    folder = config_files.folder(ctx)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


async def _new_passphrase(console: Console, file: str) -> str:
    while True:
        first = await console.ask_secret(texts.cert.CREATE_PASSPHRASE.format(file=file))
        if not first:
            console.say(texts.shell.ENTER_A_VALUE)
            continue
        second = await console.ask_secret(texts.cert.CONFIRM_PASSPHRASE.format(file=file))
        if first == second:
            return first
        console.say(texts.cert.PASSPHRASE_MISMATCH)
