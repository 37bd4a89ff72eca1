"""`userconfig`: accounts (NEW, EDIT, DELETE, LIST) and the password policy (POLICY).

Every change is staged and needs `commit`, the password too: it is stored (as a hash, in
the secrets area) when the commit is, and a login needs an account of the committed
configuration. Only Administrators may run it (state.users: class ACCOUNTS).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.commands.userconfig.questions import ask_new_password, ask_role, pick_user
from esacli.commands.userconfig.render import user_list, users_header
from state import model, ranges, users
from state.edit import users as edit
from state.errors import EditRefused
from state.model_access import ADMIN, Role, UserAccount
from state.secrets import hash_password
from state.users import Act


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: users_header(ctx.config))


async def new(ctx: Context) -> None:
    name = await value_questions.ask_accepted(
        ctx.console, texts.users.USER_NEW_NAME,
        lambda answer: users.user_name_refusal(ctx.config, answer))
    if name is None:
        return
    full_name = await ctx.console.ask(texts.users.USER_FULL_NAME.format(user=name))
    role = await ask_role(ctx, name, Role.OPERATOR)
    password = await ask_new_password(ctx, texts.users.PASSWORD_FOR.format(user=name))
    await _stage(ctx, UserAccount(name, role, full_name), password)


async def edit_user(ctx: Context) -> None:
    account = await pick_user(ctx, texts.users.USER_EDIT_WHICH)
    if account is None:
        return
    full_name = await ctx.console.ask(texts.users.USER_FULL_NAME.format(user=account.name),
                                      account.full_name)
    if account.name == ADMIN:
        ctx.console.say(texts.users.USER_ADMIN_ROLE)
        role = Role.ADMINISTRATOR
    else:
        role = await ask_role(ctx, account.name, account.role)
    password = None
    if await ctx.console.confirm(texts.users.USER_CHANGE_PASSWORD, False):
        password = await ask_new_password(
            ctx, texts.users.PASSWORD_FOR.format(user=account.name))
    await _stage(ctx, model.replace(account, full_name=full_name, role=role), password)


async def _stage(ctx: Context, account: UserAccount, password: str | None) -> None:
    """The account and its password staged together (the password first: a role that
    may not change anything is refused before either is)."""
    config = edit.put_user(ctx.config, account)
    if password is not None:
        line = await asyncio.to_thread(hash_password, password)  # scrypt: off the loop
        ctx.session.stage_password(account.name, line)
    ctx.stage(config)


async def delete(ctx: Context) -> None:
    account = await pick_user(ctx, texts.users.USER_DELETE_WHICH)
    if account is None:
        return
    try:
        config = edit.remove_user(ctx.config, account.name, ctx.session.user)
    except EditRefused as refused:
        ctx.refuse(refused.message)
        return
    if await ctx.console.confirm(texts.users.USER_DELETE_CONFIRM.format(user=account.name), False):
        ctx.stage(config)


async def show(ctx: Context) -> None:
    ctx.console.say(user_list(ctx.config))


async def policy(ctx: Context) -> None:
    access = ctx.config.access
    length = await value_questions.ask_int(ctx.console, texts.users.POLICY_LENGTH,
                                           access.min_password_length, ranges.PASSWORD_LENGTH)
    ctx.stage(model.replace(ctx.config, access=model.replace(access, min_password_length=length)))


MENU: Menu[Operation] = Menu.of(texts.users.USERCONFIG_MENU, {
    "NEW": new, "EDIT": edit_user, "DELETE": delete, "LIST": show, "POLICY": policy,
})

COMMAND = Command("userconfig", texts.shell.DESCRIPTIONS["userconfig"], run, kind=Act.ACCOUNTS)
