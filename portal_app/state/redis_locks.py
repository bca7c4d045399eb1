"""A fix for Reflex 0.10's Redis state locks: a waiter that leaves passes its wake-up on.

With Redis, an event waiting for a tab's state lock waits on a local wake-up (sent when
the holder releases: once by the releasing process, once through the keyspace
notification). Reflex cancels waiting events itself — a page load superseded by the
next navigation, the pending page load of a socket that disconnected — and a waiter
cancelled *after* it was woken takes the wake-up with it: when two are, the next
waiter only looks again after ``redis_lock_expiration`` (10 s), with the lock free all
along (tests/unit/test_redis_lock_wakeups.py: 10.04 s without this fix).

``pass_wakeups_on`` wraps ``StateManagerRedis._lock_waiter`` so that a waiter leaving
without the lock (cancelled or failed) wakes the next one; a needless wake-up only makes
that waiter try the lock once more. Applied once, at import, to the Reflex versions it
was written against; any other version is left alone (and says so in the log).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from importlib.metadata import version

log = logging.getLogger("portal.state")

_FIXED_VERSIONS = ("0.10.",)


def pass_wakeups_on() -> bool:
    try:
        from reflex.istate.manager.redis import StateManagerRedis
    except ImportError:  # pragma: no cover
        return False
    reflex_version = version("reflex")
    original = getattr(StateManagerRedis, "_lock_waiter", None)
    if original is None or not reflex_version.startswith(_FIXED_VERSIONS):
        log.warning("Redis lock wake-up fix not applied to Reflex %s", reflex_version)
        return False
    if getattr(original, "_portal_passes_wakeups_on", False):
        return True

    @contextlib.asynccontextmanager
    async def _lock_waiter(self, lock_key: bytes) -> AsyncIterator:
        async with original(self, lock_key) as released:
            try:
                yield released
            except BaseException:
                # Leaving without the lock: mark this waiter done, wake the next one.
                released.set()
                self._notify_next_waiter(lock_key)
                raise

    _lock_waiter._portal_passes_wakeups_on = True  # type: ignore[attr-defined]
    StateManagerRedis._lock_waiter = _lock_waiter  # type: ignore[method-assign]
    return True
