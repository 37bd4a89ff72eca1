"""The questions userconfig, passwd and loadconfig share: a new password, a role, a user."""

from __future__ import annotations

from esacli import texts
from esacli.commands.context import Context
from state import messages, users
from state.model_access import Role, UserAccount

ROLES: tuple[Role, ...] = tuple(Role)


async def ask_new_password(ctx: Context, question: str) -> str:
    """A password the policy accepts, typed twice the same (never echoed), re-asked with
    the reason until it is one."""
    while True:
        first = await ctx.console.ask_secret(question)
        refusal = users.password_refusal(ctx.config, first)
        if refusal is not None:
            ctx.console.say(refusal)
            continue
        again = await ctx.console.ask_secret(texts.users.PASSWORD_AGAIN)
        if again == first:
            return first
        ctx.console.say(messages.PASSWORDS_DIFFER())


async def ask_role(ctx: Context, user: str, current: Role) -> Role:
    options = [f"{texts.users.ROLE_LABELS[r]} - {texts.users.ROLE_MEANINGS[r]}" for r in ROLES]
    names = [texts.users.ROLE_LABELS[r] for r in ROLES]
    while True:
        index = await ctx.console.choose(texts.users.USER_ROLE.format(user=user), options,
                                         ROLES.index(current) + 1, names)
        if index is not None:
            return ROLES[index]


async def pick_user(ctx: Context, question: str) -> UserAccount | None:
    """An account by number or name; None for an empty answer."""
    accounts = ctx.config.users
    names = [u.name for u in accounts]
    index = await ctx.console.choose(question, names, None, names)
    return None if index is None else accounts[index]
