"""Edits of the accounts (userconfig, sshconfig; rules of what they may be: state.users)."""

from __future__ import annotations

from state import messages, model, users
from state.errors import EditRefused
from state.model import Config
from state.model_access import ADMIN, Role, UserAccount


def _with_users(config: Config, accounts: tuple[UserAccount, ...]) -> Config:
    return model.replace(config, users=accounts)


def put_user(config: Config, account: UserAccount) -> Config:
    """Add the account, or replace the one of the same name in place. The admin account
    stays an Administrator."""
    if account.name == ADMIN and account.role is not Role.ADMINISTRATOR:
        raise EditRefused(messages.ADMIN_FIXED())
    return _with_users(config, model.put(config.users, account))


def delete_refusal(config: Config, name: str, me: str) -> messages.Message | None:
    """Why the account `name` cannot be deleted by `me`, or None."""
    if users.account(config, name) is None:
        return messages.USER_UNKNOWN(user=name)
    if name == ADMIN:
        return messages.ADMIN_FIXED()
    if name == me:
        return messages.DELETE_SELF()
    return None


def remove_user(config: Config, name: str, me: str) -> Config:
    refusal = delete_refusal(config, name, me)
    if refusal is not None:
        raise EditRefused(refusal)
    return _with_users(config, model.drop(config.users, name))


def add_key(config: Config, name: str, key: str) -> Config:
    """`key` (a line state.users.parse_ssh_key accepted) authorised for `name`."""
    account = users.account(config, name)
    if account is None:
        raise EditRefused(messages.USER_UNKNOWN(user=name))
    if any(users.key_blob(k) == users.key_blob(key) for k in account.ssh_keys):
        raise EditRefused(messages.SSH_KEY_TWICE(user=name))
    return put_user(config, model.replace(account, ssh_keys=(*account.ssh_keys, key)))


def remove_key(config: Config, name: str, index: int) -> Config:
    """Without `name`'s key at 0-based `index`."""
    account = users.account(config, name)
    if account is None:
        raise EditRefused(messages.USER_UNKNOWN(user=name))
    keys = account.ssh_keys[:index] + account.ssh_keys[index + 1:]
    return put_user(config, model.replace(account, ssh_keys=keys))
