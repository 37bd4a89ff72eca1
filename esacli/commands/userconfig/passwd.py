"""`passwd`: the logged-in user changes their own password (every role may).

It acts at once, like the appliance's: the new hash is stored (and, on a cluster member,
written to the shared user database through state.users.Accounts) when it is typed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from esacli import texts
from esacli.commands.context import Context
from esacli.commands.menu import Command
from esacli.commands.userconfig.questions import ask_new_password
from state import messages, users
from state.errors import StateError
from state.users import Act


async def passwd(ctx: Context, args: Sequence[str]) -> None:
    user = ctx.session.user
    accounts = ctx.session.accounts
    if users.account(ctx.session.store.load(), user) is None:
        ctx.refuse(texts.users.PASSWD_NO_ACCOUNT.format(user=user))
        return
    old = await ctx.console.ask_secret(texts.users.PASSWD_OLD)
    if not await asyncio.to_thread(accounts.check_password, user, old):
        ctx.refuse(messages.PASSWORD_WRONG())
        return
    password = await ask_new_password(ctx, texts.users.PASSWD_NEW)
    try:  # off the loop: scrypt, and on a cluster member the shared user database
        await asyncio.to_thread(accounts.set_password, user, password)
    except StateError as refused:  # the cluster's database is away: changed nowhere
        ctx.refuse(str(refused))
        return
    ctx.console.say(texts.users.PASSWD_CHANGED)


COMMAND = Command("passwd", texts.shell.DESCRIPTIONS["passwd"], passwd, kind=Act.LOOK)
