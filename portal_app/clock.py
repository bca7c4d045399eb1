"""Time in one place: timezone-aware UTC (SQLModel's UTCDateTime stores and returns it)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
