"""The queue database as the queue commands use it: through engine.queue.admin (never
the running engine's objects), each call in a thread (the SSH server may share its event
loop with the engine), and a notice instead of a result while it is unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from engine.errors import QueueUnavailable
from engine.queue.admin import QueueAdmin
from esacli import texts
from esacli.commands.context import Context

T = TypeVar("T")


def admin(ctx: Context) -> QueueAdmin:
    return QueueAdmin(ctx.session.store.data_dir, ctx.clock)


async def call(ctx: Context, method: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """`method(*args, **kwargs)` in a thread; None, after saying so, if the queue is away."""
    try:
        return await asyncio.to_thread(method, *args, **kwargs)
    except QueueUnavailable:
        ctx.console.say(texts.queue.QUEUE_UNAVAILABLE)
        return None
