"""Reflex's Redis state lock, as the portal runs it (``state/redis_locks.py``): when the
events waiting for a tab's lock are cancelled after the release woke them (Reflex does
that to a superseded page load), the next waiter still gets the free lock at once, not
after ``redis_lock_expiration`` (10 s)."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from portal_app.state import session  # noqa: F401  (applies the fix, as the app does)
from portal_app.state.redis_locks import pass_wakeups_on


async def _last_waiter_delay(redis_url: str, cancelled: int, other_worker: bool) -> float:
    """Seconds between the holder's release and the last waiter getting the lock, when
    the ``cancelled`` waiters queued before it are cancelled right after the release."""
    here = StateManagerRedis(redis=Redis.from_url(redis_url))
    there = StateManagerRedis(redis=Redis.from_url(redis_url)) if other_worker else here
    token = BaseStateToken(ident=f"tab-{cancelled}-{other_worker}", cls=State)
    release, got = asyncio.Event(), {}
    # A worker's keyspace subscription is up long before its tabs wait on each other;
    # a cold one (Reflex waits at most 2 s for it) can miss a release on its own.
    await here._ensure_lock_task_subscribed(timeout=30)

    async def holder() -> None:
        async with there._lock(token, "holder"):
            await release.wait()

    async def waiter(name: str) -> None:
        async with here._lock(token, name):
            got[name] = time.monotonic()

    held = asyncio.create_task(holder())
    await asyncio.sleep(0.3)
    waiters = []
    for n in range(cancelled + 1):
        waiters.append(asyncio.create_task(waiter(f"w{n}")))
        await asyncio.sleep(0.2)
    released = time.monotonic()
    release.set()
    await held
    for early in waiters[:cancelled]:
        await asyncio.sleep(0.005)
        early.cancel()
    await asyncio.wait_for(waiters[-1], 15)
    for manager in [here] if here is there else [here, there]:
        await manager.redis.aclose()
    return got[f"w{cancelled}"] - released


@pytest.mark.parametrize("other_worker", [False, True], ids=["same-worker", "other-worker"])
def test_cancelled_waiters_pass_the_wakeup_on(redis_url, other_worker):
    assert pass_wakeups_on()
    delay = asyncio.run(_last_waiter_delay(redis_url, cancelled=2, other_worker=other_worker))
    assert delay < 2.0, f"the free lock was taken {delay:.2f}s after its release"
