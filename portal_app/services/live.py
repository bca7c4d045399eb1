"""A small change-feed for live updates: one version number per topic.

A service that changes what a topic covers calls ``touch(session, topic)``; once that
transaction commits, the topic's version goes up by one. An open tab that shows the
topic (``state/live.py``) reads ``versions([...])`` about once a second and, when a
number moved, reloads what it shows *through the services*, as the tab's own person:
the feed itself carries no data, so nothing reaches anyone without the usual access
checks.

Topics are tuples, written ``"kind:part:part"``:
- ``widget_topic(page_id, widget_id)``: what people added to one widget (comments...);
- ``page_topic(page_id)``: the page as a whole (reserved for layout and grants);
- ``person_topic(user_id)``: the person's sessions (sign-out, deactivation), so their
  open tabs notice at once.

Where the numbers live: Redis when ``PORTAL_REDIS_URL`` is set (one key per topic,
``INCR``), so every worker and machine sees them; otherwise the ``live_topic`` table of
the portal's database (one process, or several sharing that database).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import redis
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from portal_app.config import get_settings
from portal_app.db import on_commit, session_scope
from portal_app.models import LiveTopic

log = logging.getLogger("portal.live")

Topic = tuple[str | int, ...]
REDIS_PREFIX = "portal:live:"
# A topic nobody touched for this long may be forgotten (its next touch starts again).
REDIS_TTL_SECONDS = 30 * 24 * 3600
_PART = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_PENDING = "portal_live_pending"
_FLUSH = "portal_live_flush"


def topic_key(topic: Topic | str) -> str:
    """``("widget", 12, "ab12")`` -> ``"widget:12:ab12"`` (checked: letters, digits, - _)."""
    if isinstance(topic, str):
        parts: Sequence[str] = topic.split(":")
    else:
        parts = [str(part) for part in topic]
    if not parts or not all(_PART.match(part) for part in parts):
        raise ValueError(f"not a live topic: {topic!r}")
    key = ":".join(parts)
    if len(key) > 120:
        raise ValueError(f"live topic too long: {key[:40]!r}...")
    return key


def widget_topic(page_id: int, widget_id: str) -> str:
    return topic_key(("widget", page_id, widget_id))


def page_topic(page_id: int) -> str:
    return topic_key(("page", page_id))


def person_topic(user_id: int) -> str:
    return topic_key(("person", user_id))


@lru_cache(maxsize=4)
def _redis_for(url: str) -> redis.Redis:
    # redis-py's pool notices a fork and opens new connections in the child.
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def _redis() -> redis.Redis | None:
    url = get_settings().redis_url
    return _redis_for(url) if url else None


def touch(session: Session, *topics: Topic | str) -> None:
    """Bump ``topics`` once ``session`` commits (never if it rolls back). Several
    touches of one topic in one transaction bump it once."""
    keys = {topic_key(topic) for topic in topics}
    pending: set[str] = session.info.setdefault(_PENDING, set())
    pending.update(keys)
    flush = session.info.get(_FLUSH)
    if flush is None:

        def flush() -> None:
            bump(*sorted(session.info.pop(_PENDING, set())))

        session.info[_FLUSH] = flush
    # Registered again after a rollback dropped it (db.on_commit keeps one of each).
    on_commit(session, flush)


def bump(*topics: Topic | str) -> None:
    """Bump ``topics`` now (a change already committed). A failure is logged, not
    raised: the change itself is done, and open tabs catch up at their next reload."""
    keys = sorted({topic_key(topic) for topic in topics})
    if not keys:
        return
    try:
        client = _redis()
        if client is not None:
            with client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.incr(REDIS_PREFIX + key)
                    pipe.expire(REDIS_PREFIX + key, REDIS_TTL_SECONDS)
                pipe.execute()
            return
        with session_scope() as session:
            for key in keys:
                _bump_row(session, key)
    except Exception:  # noqa: BLE001  (see the docstring)
        log.exception("Could not bump live topics %s", keys)


def _bump_row(session: Session, key: str) -> None:
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement = insert(LiveTopic).values(topic=key, version=1)
        statement = statement.on_conflict_do_update(
            index_elements=["topic"], set_={"version": LiveTopic.version + 1}
        )
        session.execute(statement)
        return
    # Other databases: update, or insert the first version.
    result = session.execute(
        update(LiveTopic).where(col(LiveTopic.topic) == key).values(version=LiveTopic.version + 1)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.add(LiveTopic(topic=key, version=1))


def versions(topics: Iterable[Topic | str]) -> dict[str, int]:
    """The current version of each topic (0 for one never touched), by topic key."""
    keys = sorted({topic_key(topic) for topic in topics})
    if not keys:
        return {}
    client = _redis()
    if client is not None:
        values = client.mget([REDIS_PREFIX + key for key in keys])
        return {key: int(value or 0) for key, value in zip(keys, values, strict=True)}
    with session_scope() as session:
        rows = session.exec(
            select(LiveTopic.topic, LiveTopic.version).where(col(LiveTopic.topic).in_(keys))
        ).all()
    found = dict(rows)
    return {key: int(found.get(key, 0)) for key in keys}
