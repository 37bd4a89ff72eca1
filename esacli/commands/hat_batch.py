"""listenerconfig batch forms for HOSTACCESS and RCPTACCESS (reference §1.4).

    listenerconfig edit InboundMail hostaccess new sendergroup TLS_Senders \
        192.0.2.10,192.0.2.0/28 TLS_Required
    listenerconfig edit InboundMail hostaccess new policy TLS_Required accept --tls=required

Each form checks its words with the same state.forms / name rules as the dialogs,
builds the same edit (hat_edit) and stages it; `commit` is still needed. An error
prints one message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from esacli import render, texts
from esacli.commands import _cfgfiles, _edit
from esacli.commands import hat_edit as edit
from esacli.commands.base import Context
from state import formats, forms, model, policy_params
from state.errors import FormatError, ValueRefused
from state.model import (
    HAT,
    Behavior,
    Listener,
    Policy,
    PolicyParams,
    RatAction,
    RatEntry,
    SenderGroup,
)
from state.names import is_name


class BatchError(Exception):
    """One line for the user; nothing was staged."""


async def run(ctx: Context, args: Sequence[str]) -> None:
    try:
        _dispatch(ctx, list(args))
    except BatchError as exc:
        ctx.refuse(str(exc))


def _dispatch(ctx: Context, args: list[str]) -> None:
    if len(args) < 4 or args[0].lower() != "edit":
        raise BatchError(texts.BATCH_USAGE_ERROR)
    li = model.by_name(ctx.config.listeners, args[1])
    if li is None:
        raise BatchError(texts.BATCH_NO_LISTENER.format(name=args[1]))
    table, op, rest = args[2].lower(), args[3].lower(), args[4:]
    if table == "rcptaccess" and op == "new":
        _stage_rat(ctx, li, _rat_new(li, rest))
    elif table == "hostaccess" and op in _HAT_OPS:
        result = _HAT_OPS[op](ctx, li, rest)
        if result is not None:
            ctx.stage(_edit.edit_listener(ctx.config, li.name, hat=result))
    else:
        raise BatchError(texts.BATCH_USAGE_ERROR)


def _stage_rat(ctx: Context, li: Listener, rat: tuple[RatEntry, ...]) -> None:
    ctx.stage(_edit.edit_listener(ctx.config, li.name, rat=rat))


# -- options ------------------------------------------------------------------------


def _options(words: list[str], inherit: bool, base: PolicyParams) -> PolicyParams:
    try:
        return policy_params.parse_options(words, inherit, base)
    except ValueRefused as refused:
        raise BatchError(refused.message) from None


def _choice(hat: HAT, word: str, group: bool) -> str | Behavior:
    upper = word.upper()
    if upper in Behavior.__members__ and (group or upper != "CONTINUE"):
        return Behavior(upper)
    name = word.removeprefix("$")
    if group and model.by_name(hat.policies, name) is not None:
        return name
    raise BatchError(texts.BATCH_BAD_BEHAVIOR.format(value=word))


def _hosts(word: str) -> tuple[str, ...]:
    hosts = forms.split_list(word)
    for host in hosts:
        if forms.sender_kind(host) in (None, "all"):
            raise BatchError(texts.INVALID_HOST.format(host=host))
    return hosts


def _name(word: str, taken: list[str], exists: str) -> str:
    if not is_name(word) or word.upper() == "ALL":
        raise BatchError(texts.VALID_NAME_CHARS)
    if word in taken:
        raise BatchError(exists.format(name=word))
    return word


# -- hostaccess operations ------------------------------------------------------------


def _new(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    hat = li.hat
    if len(rest) >= 4 and rest[0].lower() == "sendergroup":
        name = _name(rest[1], [g.name for g in hat.groups], texts.GROUP_EXISTS)
        choice = _choice(hat, rest[3], group=True)
        params = _options(rest[4:], True, PolicyParams())
        group = edit.group_with(SenderGroup(name=name, senders=_hosts(rest[2]), policy=""),
                                choice)
        if isinstance(choice, Behavior):
            group = model.replace(group, params=params)
        return edit.insert_group(hat, group)
    if len(rest) >= 3 and rest[0].lower() == "policy":
        name = _name(rest[1], [p.name for p in hat.policies], texts.POLICY_EXISTS)
        behavior = _choice(hat, rest[2], group=False)
        assert isinstance(behavior, Behavior)
        policy = Policy(name=name, behavior=behavior,
                        params=_options(rest[3:], True, PolicyParams()))
        return edit.put_policy(hat, name, policy)
    raise BatchError(texts.BATCH_USAGE_ERROR)


def _edit_op(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    hat = li.hat
    if len(rest) == 3 and rest[0].lower() == "sendergroup":
        index = edit.find_group(hat, rest[1])
        if index is None or hat.groups[index].senders == ("ALL",):
            raise BatchError(texts.WHICH_GROUP.format(action="edit"))
        group = model.replace(hat.groups[index], senders=_hosts(rest[2]))
        return edit.set_group(hat, index, group)
    if len(rest) >= 3 and rest[0].lower() == "policy":
        policy = model.by_name(hat.policies, rest[1])
        if policy is None:
            raise BatchError(texts.NO_POLICIES if not hat.policies else
                             texts.UNKNOWN_POLICY.format(name=rest[1]))
        behavior = _choice(hat, rest[2], group=False)
        changed = model.replace(policy, behavior=behavior,
                                params=_options(rest[3:], True, policy.params))
        return edit.put_policy(hat, policy.name, changed)
    raise BatchError(texts.BATCH_USAGE_ERROR)


def _delete(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    if len(rest) != 2 or rest[0].lower() not in ("sendergroup", "policy"):
        raise BatchError(texts.BATCH_DELETE_USAGE)
    hat = li.hat
    if rest[0].lower() == "policy":
        if model.by_name(hat.policies, rest[1]) is None:
            raise BatchError(texts.UNKNOWN_POLICY.format(name=rest[1]))
        if hat.groups and hat.groups[-1].policy == rest[1]:
            raise BatchError(texts.POLICY_USED_BY_ALL.format(name=rest[1]))
        return edit.remove_policy(hat, rest[1])
    index = edit.find_group(hat, rest[1])
    if index is None or index >= edit.all_index(hat):
        raise BatchError(texts.BATCH_DELETE_USAGE)
    return edit.remove_group(hat, index)


def _move(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    hat = li.hat
    if len(rest) != 2:
        raise BatchError(texts.BATCH_MOVE_USAGE)
    index, before = edit.find_group(hat, rest[0]), edit.find_group(hat, rest[1])
    if index is None or before is None or index >= edit.all_index(hat) or index == before:
        raise BatchError(texts.BATCH_MOVE_USAGE)
    return edit.move_group(hat, index, before)


def _default(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    return model.replace(li.hat, default=_options(rest, False, li.hat.default))


def _print(ctx: Context, li: Listener, rest: list[str]) -> None:
    ctx.console.say(render.hat_text(li.hat))


def _import(ctx: Context, li: Listener, rest: list[str]) -> HAT | None:
    if len(rest) != 1:
        raise BatchError(texts.BATCH_IMPORT_NEEDS_FILE)
    text = _cfgfiles.read(ctx, rest[0])
    if text is None:
        return None
    try:
        return formats.parse_hat(text, li.hat.default)
    except FormatError as exc:
        raise BatchError(texts.FILE_LINE_ERROR.format(line=exc.line, message=exc.message)) from None


def _export(ctx: Context, li: Listener, rest: list[str]) -> None:
    if len(rest) != 1:
        raise BatchError(texts.BATCH_EXPORT_NEEDS_FILE)
    _cfgfiles.write(ctx, rest[0], formats.hat_text(li.hat) + "\n")


_HAT_OPS = {"new": _new, "edit": _edit_op, "delete": _delete, "move": _move,
            "default": _default, "print": _print, "import": _import, "export": _export}


def _rat_new(li: Listener, rest: list[str]) -> tuple[RatEntry, ...]:
    if len(rest) != 2 or rest[1].upper() not in RatAction.__members__:
        raise BatchError(texts.BATCH_USAGE_ERROR)
    if not forms.rat_address_ok(rest[0]):
        raise BatchError(texts.RAT_INVALID)
    address = forms.normalise_rat_address(rest[0])
    if edit.find_rat(li.rat, address) is not None:
        raise BatchError(texts.RAT_EXISTS.format(address=address))
    return edit.insert_rat(li.rat, RatEntry(address=address, action=RatAction(rest[1].upper())))
