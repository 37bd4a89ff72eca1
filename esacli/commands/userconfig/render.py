"""userconfig's screens."""

from __future__ import annotations

from esacli import render, texts
from state.model import Config


def users_header(config: Config) -> str:
    lines = [texts.users.USERS_HEADER]
    lines += [texts.users.USER_LINE.format(number=n, name=u.name, full_name=u.full_name,
                                           role=texts.users.ROLE_LABELS[u.role])
              for n, u in enumerate(config.users, 1)]
    lines += ["", texts.users.PASSWORD_POLICY_LINE.format(
        length=config.access.min_password_length)]
    return "\n".join(lines)


def user_list(config: Config) -> str:
    rows = [(u.name, u.full_name, texts.users.ROLE_LABELS[u.role], str(len(u.ssh_keys)))
            for u in config.users]
    return render.columns([texts.users.USER_LIST_COLUMNS, *rows])
