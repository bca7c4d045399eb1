"""Mail the portal sent (or, with no SMTP server configured, kept in its local outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=300)
    # Only kept when delivery is the local outbox: an admin reads it there.
    body: str = Field(default="")
    transport: str = Field(default="outbox", max_length=16)
    status: str = Field(default="stored", max_length=16)
    error: str = Field(default="", max_length=500)
