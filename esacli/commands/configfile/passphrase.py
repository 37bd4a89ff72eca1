"""The passphrase option of showconfig, saveconfig and mailconfig (§2.5), and the file
text they share."""

from __future__ import annotations

from esacli import texts
from esacli.commands.context import Context
from state import config_file
from state.users import Act


async def ask_passphrase(ctx: Context) -> str | None:
    """Mask (None) or encrypt with a passphrase typed twice, never echoed; re-asked while
    it is too short or the two differ. Only an Administrator may encrypt: the file then
    carries the private keys and password hashes to whoever knows the passphrase."""
    index = await ctx.console.choose(texts.configfile.PASSPHRASE_OPTION,
                                     texts.configfile.PASSPHRASE_OPTIONS, 1)
    if not index:
        return None
    if not ctx.session.may(Act.ACCOUNTS):  # an encrypted file gives its keys to whoever
        ctx.console.say(texts.configfile.ENCRYPT_ADMINS_ONLY)  # has the passphrase
        return None
    while True:
        first = await ctx.console.ask_secret(texts.configfile.PASSPHRASE_NEW)
        refusal = config_file.passphrase_refusal(first)
        if refusal is not None:
            ctx.console.say(refusal)
            continue
        if await ctx.console.ask_secret(texts.configfile.PASSPHRASE_AGAIN) == first:
            return first
        ctx.console.say(texts.configfile.PASSPHRASES_DIFFER)


async def file_text(ctx: Context) -> str:
    """The committed configuration as a file, its secrets as the administrator chooses."""
    passphrase = await ask_passphrase(ctx)
    config = ctx.session.store.load()
    secrets = config_file.file_secrets(config, ctx.session.secrets)
    return config_file.dump(config, secrets, passphrase)
