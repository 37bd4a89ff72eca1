"""The one-line forms of HOSTACCESS (reference §1.4), one per HAT menu item:

    listenerconfig edit InboundMail hostaccess new sendergroup TLS_Senders \
        192.0.2.10,192.0.2.0/28 TLS_Required
    listenerconfig edit InboundMail hostaccess new policy TLS_Required accept --tls=required

Each form checks its words with the rules the dialogs use (state.edit.hat, the parameter
table's `--options`) and returns the edited HAT for the caller to stage, or None when
there is nothing to stage; `commit` is still needed. An error raises BatchRefused with
one message, and nothing is staged.
"""

from __future__ import annotations

from esacli import texts
from esacli.commands import config_files
from esacli.commands.context import Context
from esacli.errors import BatchRefused
from state import formats, forms, messages, model, policy_params
from state.edit import hat as edit
from state.errors import EditRefused, ValueRefused
from state.messages import Message
from state.model import HAT, Behavior, Listener, Policy, PolicyParams, SenderGroup

GROUP, POLICY = "sendergroup", "policy"


def _refuse_if(message: Message | None) -> None:
    if message is not None:
        raise BatchRefused(message)


def _options(words: list[str], inherit: bool, base: PolicyParams) -> PolicyParams:
    try:
        return policy_params.parse_options(words, inherit, base)
    except ValueRefused as refused:
        raise BatchRefused(refused.message) from None


def _choice(hat: HAT, word: str, group: bool) -> edit.Choice:
    try:
        return edit.parse_choice(hat, word, group)
    except ValueRefused as refused:
        raise BatchRefused(refused.message) from None


def _hosts(word: str) -> tuple[str, ...]:
    hosts = forms.split_list(word)
    _refuse_if(edit.sender_refusal(hosts, required=False))
    return hosts


def _kind(rest: list[str], count: int) -> str:
    """`sendergroup` or `policy`, with at least `count` words in all."""
    kind = rest[0].lower() if len(rest) >= count else ""
    if kind not in (GROUP, POLICY):
        raise BatchRefused(texts.listener.BATCH_USAGE_ERROR)
    return kind


def new(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    hat = li.hat
    if _kind(rest, 3) == GROUP and len(rest) >= 4:
        _refuse_if(edit.group_name_refusal(hat, rest[1]))
        choice = _choice(hat, rest[3], group=True)
        params = _options(rest[4:], True, PolicyParams())
        row = SenderGroup(name=rest[1], senders=_hosts(rest[2]), policy="")
        return edit.insert_group(hat, edit.point_group(row, choice, params))
    if rest[0].lower() != POLICY:
        raise BatchRefused(texts.listener.BATCH_USAGE_ERROR)
    _refuse_if(edit.policy_name_refusal(hat, rest[1]))
    behavior = _choice(hat, rest[2], group=False)
    assert isinstance(behavior, Behavior)
    policy = Policy(name=rest[1], behavior=behavior,
                    params=_options(rest[3:], True, PolicyParams()))
    return edit.put_policy(hat, rest[1], policy)


def edit_entry(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    hat = li.hat
    if _kind(rest, 3) == GROUP:
        index = edit.find_group(hat, rest[1])
        if len(rest) != 3 or not edit.movable(hat, index):
            raise BatchRefused(texts.listener.BATCH_USAGE_ERROR if len(rest) != 3
                               else texts.hat.WHICH_GROUP.format(action="edit"))
        assert index is not None
        group = model.replace(hat.groups[index], senders=_hosts(rest[2]))
        return edit.set_group(hat, index, group)
    policy = model.by_name(hat.policies, rest[1])
    if policy is None:
        raise BatchRefused(texts.hat.NO_POLICIES if not hat.policies else
                           messages.UNKNOWN_POLICY(name=rest[1]))
    behavior = _choice(hat, rest[2], group=False)
    changed = model.replace(policy, behavior=behavior,
                            params=_options(rest[3:], True, policy.params))
    return edit.put_policy(hat, policy.name, changed)


def delete(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    if len(rest) != 2 or rest[0].lower() not in (GROUP, POLICY):
        raise BatchRefused(texts.listener.BATCH_DELETE_USAGE)
    hat = li.hat
    if rest[0].lower() == POLICY:
        if model.by_name(hat.policies, rest[1]) is None:
            raise BatchRefused(messages.UNKNOWN_POLICY(name=rest[1]))
        try:
            remaining = edit.remove_policy(hat, rest[1])
        except EditRefused as refused:
            raise BatchRefused(refused.message) from None
        users = edit.users_of(hat, rest[1])
        if users:  # the dialog asks before they go with it; a script is not asked
            raise BatchRefused(texts.hat.POLICY_IN_USE_BATCH.format(
                name=rest[1], groups=", ".join(edit.label(g) for g in users)))
        return remaining
    index = edit.find_group(hat, rest[1])
    if index is None or not edit.movable(hat, index):
        raise BatchRefused(texts.listener.BATCH_DELETE_USAGE)
    return edit.remove_group(hat, index)


def move(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    hat = li.hat
    if len(rest) != 2:
        raise BatchRefused(texts.listener.BATCH_MOVE_USAGE)
    index, before = edit.find_group(hat, rest[0]), edit.find_group(hat, rest[1])
    if before is None or not edit.movable(hat, index) or index == before:
        raise BatchRefused(texts.listener.BATCH_MOVE_USAGE)
    assert index is not None
    return edit.move_group(hat, index, before)


def default(ctx: Context, li: Listener, rest: list[str]) -> HAT:
    return model.replace(li.hat, default=_options(rest, False, li.hat.default))


def print_table(ctx: Context, li: Listener, rest: list[str]) -> None:
    ctx.console.say(formats.hat_text(li.hat))


def import_table(ctx: Context, li: Listener, rest: list[str]) -> HAT | None:
    return config_files.batch_import(ctx, rest, texts.listener.BATCH_IMPORT_NEEDS_FILE,
                                     lambda text: formats.parse_hat(text, li.hat.default))


def export_table(ctx: Context, li: Listener, rest: list[str]) -> None:
    config_files.batch_export(ctx, rest, texts.listener.BATCH_EXPORT_NEEDS_FILE,
                              formats.hat_text(li.hat) + "\n")
