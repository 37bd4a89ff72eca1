"""`sshconfig`: the SSH public keys authorised for each account (NEW by paste, DELETE,
PRINT, USER to edit another account's) and how logins are accepted (SETUP: password
logins on or off, the login throttling of esacli/login_guard.py). Staged; `commit`
applies it to the next login. Only Administrators may run it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.menu import Command, Menu, Operation, run_menu
from esacli.console import Console
from state import model, ranges, users
from state.edit import users as edit
from state.errors import EditRefused
from state.messages import Message
from state.model_access import ADMIN, LoginLimits, UserAccount
from state.users import Act


@dataclass
class _Editing:
    """Whose keys the menu shows (the logged-in user's until USER picks another)."""

    user: str


def key_line(number: int, key: str) -> str:
    words = key.split(" ", 2)
    comment = words[2] if len(words) > 2 else ""
    return texts.users.SSH_KEY_LINE.format(number=number, type=words[0],
                                           fingerprint=users.fingerprint(key), comment=comment)


def keys_header(account: UserAccount | None, user: str) -> str:
    if account is None or not account.ssh_keys:
        return texts.users.SSH_NO_KEYS.format(user=user)
    lines = [key_line(n, k) for n, k in enumerate(account.ssh_keys, 1)]
    return "\n".join([texts.users.SSH_KEYS_HEADER.format(user=user), *lines])


async def run(ctx: Context, args: Sequence[str]) -> None:
    editing = _Editing(ctx.session.user if users.account(ctx.config, ctx.session.user)
                       else ADMIN)
    menu: Menu[Operation] = Menu.of(texts.users.SSHCONFIG_MENU, {
        "NEW": lambda c: new(c, editing), "DELETE": lambda c: delete(c, editing),
        "PRINT": lambda c: show(c, editing), "USER": lambda c: switch(c, editing),
        "SETUP": setup,
    })
    await run_menu(ctx, menu, lambda: keys_header(users.account(ctx.config, editing.user),
                                                  editing.user))


async def _paste_key(console: Console) -> str | None:
    """One public key line, pasted (an empty line ends it); re-asked while it is not one.
    None for an empty paste."""
    while True:
        console.write(f"\n{texts.users.SSH_KEY_PASTE}\n")
        lines = []
        while line := (await console.readline("")).strip():
            lines.append(line)
        if not lines:
            return None
        parsed = users.parse_ssh_key(" ".join(lines))
        if not isinstance(parsed, Message):
            return parsed
        console.say(parsed)


async def new(ctx: Context, editing: _Editing) -> None:
    key = await _paste_key(ctx.console)
    if key is None:
        return
    try:
        ctx.stage(edit.add_key(ctx.config, editing.user, key))
    except EditRefused as refused:
        ctx.refuse(refused.message)


async def _pick_key(ctx: Context, editing: _Editing, action: str) -> int | None:
    account = users.account(ctx.config, editing.user)
    keys = account.ssh_keys if account else ()
    if not keys:
        ctx.console.say(texts.users.SSH_NO_KEYS.format(user=editing.user))
        return None
    options = [key_line(n, k).split(". ", 1)[1] for n, k in enumerate(keys, 1)]
    return await ctx.console.choose(texts.users.SSH_KEY_WHICH.format(action=action), options)


async def delete(ctx: Context, editing: _Editing) -> None:
    index = await _pick_key(ctx, editing, "delete")
    if index is not None:
        ctx.stage(edit.remove_key(ctx.config, editing.user, index))


async def show(ctx: Context, editing: _Editing) -> None:
    index = await _pick_key(ctx, editing, "print")
    account = users.account(ctx.config, editing.user)
    if index is not None and account is not None:
        ctx.console.say(account.ssh_keys[index])


async def switch(ctx: Context, editing: _Editing) -> None:
    while True:
        name = await ctx.console.ask(texts.users.SSH_SWITCH_USER, editing.user)
        if users.account(ctx.config, name) is not None:
            editing.user = name
            return
        ctx.console.say(texts.users.SSH_UNKNOWN_USER.format(user=name))


def settings_text(limits: LoginLimits) -> str:
    return texts.users.SSH_SETTINGS.format(
        password=texts.users.ENABLED if limits.password_login else texts.users.DISABLED,
        tries=limits.max_tries, free=limits.free_failures, gap=limits.max_gap,
        forget=limits.forget_minutes)


async def setup(ctx: Context) -> None:
    limits = ctx.config.access.logins
    ctx.console.say(settings_text(limits))
    ask = value_questions.ask_int
    console = ctx.console
    edited = LoginLimits(
        password_login=await _password_login(ctx, limits.password_login),
        max_tries=await ask(console, texts.users.SSH_MAX_TRIES, limits.max_tries,
                            ranges.LOGIN_TRIES),
        free_failures=await ask(console, texts.users.SSH_FREE_FAILURES, limits.free_failures,
                                ranges.LOGIN_FREE_FAILURES),
        max_gap=await ask(console, texts.users.SSH_MAX_GAP, limits.max_gap, ranges.LOGIN_MAX_GAP),
        forget_minutes=await ask(console, texts.users.SSH_FORGET, limits.forget_minutes,
                                 ranges.LOGIN_FORGET_MINUTES),
    )
    access = model.replace(ctx.config.access, logins=edited)
    ctx.stage(model.replace(ctx.config, access=access))


async def _password_login(ctx: Context, current: bool) -> bool:
    """Asked again while turning them off would lock every Administrator out."""
    while True:
        allowed = await ctx.console.confirm(texts.users.SSH_PASSWORD_LOGIN, current)
        off = model.replace(ctx.config.access.logins, password_login=allowed)
        refusal = users.lockout_refusal(model.replace(
            ctx.config, access=model.replace(ctx.config.access, logins=off)))
        if refusal is None:
            return allowed
        ctx.console.say(refusal.text)


COMMAND = Command("sshconfig", texts.shell.DESCRIPTIONS["sshconfig"], run, kind=Act.ACCOUNTS)
