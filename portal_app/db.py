"""The database engine and unit-of-work sessions (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from portal_app.config import get_settings, on_reload

_engine: Engine | None = None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        url = get_settings().database_url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                from pathlib import Path

                Path(path).parent.mkdir(parents=True, exist_ok=True)
            _engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(_engine, "connect", _sqlite_pragmas)
        else:
            _engine = create_engine(url, pool_pre_ping=True)
    return _engine


def reset_engine() -> None:
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None


on_reload(reset_engine)


def _drop_inherited_connections() -> None:
    # Granian forks its workers from a supervisor that imported the app: a worker must
    # never talk over a connection its parent opened (nor close it for the parent).
    if _engine is not None:
        _engine.dispose(close=False)


os.register_at_fork(after_in_child=_drop_inherited_connections)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on error."""
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


# --- work to do once a transaction has committed ------------------------------------

_ON_COMMIT = "portal_on_commit"


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after ``session`` commits (never if it rolls back), like Zulip's
    ``send_event_on_commit``: a change first records what to announce, then the
    announcement is triggered only once the change is durable."""
    callbacks = session.info.setdefault(_ON_COMMIT, [])
    if callback not in callbacks:
        callbacks.append(callback)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    for callback in session.info.pop(_ON_COMMIT, []):
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_on_commit(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)
