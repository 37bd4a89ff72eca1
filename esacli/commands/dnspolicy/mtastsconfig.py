"""`mtastsconfig`: the MTA-STS policies the engine has cached (`<data>/mta-sts.db`: mode,
MX patterns, expiry, the last fetch and its error) and a fetch of one domain's policy
now. Read and written through the engine's cache (engine/outbound/mtasts_cache.py);
SQLite's WAL lets the engine write at the same time. Needs no commit: the fetch uses
the COMMITTED configuration (resolver, trusted CAs), as delivery would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from engine.outbound.mtasts_cache import Cached, StsAnswer
from esacli import texts
from esacli.commands import value_questions
from esacli.commands.context import Context
from esacli.commands.dnspolicy.cache import policy_store, sts_cache
from esacli.commands.menu import Command, Menu, Operation, run_menu
from state import messages
from state.validate_outbound import is_host, is_ip, normalise_domain


def _all(ctx: Context) -> list[Cached]:
    with policy_store(ctx.session.store.data_dir) as store:
        return store.all()


def _when(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _row(c: Cached) -> list[str]:
    none = texts.dnspolicy.MTASTS_NO_POLICY
    mode = c.policy.mode.value if c.policy else none
    expires = _when(c.expires) if c.policy else none
    if c.last_error:
        fetch = texts.dnspolicy.MTASTS_FETCH_FAILED.format(when=_when(c.last_attempt),
                                                           error=c.last_error)
    else:
        fetch = texts.dnspolicy.MTASTS_FETCH_OK.format(when=_when(c.fetched))
    return [c.domain, mode, c.policy_id or none, expires, fetch]


def listing(cached: list[Cached]) -> str:
    if not cached:
        return texts.dnspolicy.MTASTS_EMPTY
    heads = list(texts.dnspolicy.MTASTS_COLUMNS)
    rows = [_row(c) for c in cached]
    widths = [max(len(r[i]) for r in (heads, *rows)) for i in range(len(heads))]
    lines = []
    for n, row in enumerate([heads, ["=" * w for w in widths], *rows]):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        entry = cached[n - 2] if n >= 2 else None
        if entry is not None and entry.policy is not None:
            lines.append(texts.dnspolicy.MTASTS_MX.format(patterns=", ".join(entry.policy.mx)))
    return "\n".join(lines)


async def run(ctx: Context, args: Sequence[str]) -> None:
    await run_menu(ctx, MENU, lambda: texts.dnspolicy.MTASTS_COUNT.format(
        count=sum(1 for c in _all(ctx) if c.policy is not None)))


async def list_policies(ctx: Context) -> None:
    ctx.console.say(listing(_all(ctx)))


def _domain_refusal(answer: str) -> str | None:
    """Only a domain name can have a policy: it is served by its host mta-sts.<domain>, which
    an address has not, and a single label (a TLD, an intranet name) is no mail domain."""
    domain = normalise_domain(answer)
    if is_ip(domain):
        return texts.dnspolicy.MTASTS_IP_DOMAIN.format(domain=answer)
    if not is_host(domain):
        return messages.INVALID_DOMAIN(domain=answer)
    if "." not in domain:
        return texts.dnspolicy.MTASTS_ONE_LABEL.format(domain=answer)
    return None


async def refresh(ctx: Context) -> None:
    answer = await value_questions.ask_accepted(ctx.console, texts.dnspolicy.MTASTS_DOMAIN,
                                                _domain_refusal)
    if answer is None:
        return
    domain = normalise_domain(answer)
    with sts_cache(ctx.session.store.data_dir, ctx.session.store.load()) as cache:
        # Ctrl-C abandons a slow resolver or policy host, as it does tlsverify's probe
        found = await ctx.console.interruptible(cache.refresh(domain))
    ctx.console.say(_refreshed(domain, found, _expiry(ctx, domain)))


def _expiry(ctx: Context, domain: str) -> str:
    cached = next((c for c in _all(ctx) if c.domain == domain), None)
    return _when(cached.expires) if cached is not None and cached.policy else ""


def _refreshed(domain: str, found: StsAnswer, expires: str) -> str:
    policy = found.policy
    if found.source == "fetched" and policy is not None:
        return texts.dnspolicy.MTASTS_REFRESHED.format(
            domain=domain, mode=policy.mode.value, id=found.policy_id or "-",
            max_age=policy.max_age)
    said = texts.dnspolicy.MTASTS_REFRESH_FAILED.format(domain=domain, error=found.error)
    if policy is None:
        return said + "\n" + texts.dnspolicy.MTASTS_NONE_KEPT.format(domain=domain)
    return said + "\n" + texts.dnspolicy.MTASTS_KEPT.format(
        mode=policy.mode.value, id=found.policy_id, expires=expires)


MENU: Menu[Operation] = Menu.of(texts.dnspolicy.MTASTS_MENU, {
    "LIST": list_policies, "REFRESH": refresh,
})

COMMAND = Command("mtastsconfig", texts.shell.DESCRIPTIONS["mtastsconfig"], run)
