"""Mail the portal queues, sends (or, with no SMTP server, keeps in its local outbox).

A message is written in the same transaction as the change it announces (status
"pending"); the delivery worker claims it ("sending"), delivers it and records the
outcome ("sent", "stored" in the local outbox, or "failed" after its last attempt).
"""

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
    # The whole text while pending; after delivery only the local outbox keeps it, with
    # its one-time links masked.
    body: str = Field(default="")
    transport: str = Field(default="outbox", max_length=16)
    status: str = Field(default="pending", max_length=16, index=True)
    error: str = Field(default="", max_length=500)
    attempts: int = Field(default=0)
    # Not before this time (retries back off).
    available_at: datetime = Field(default_factory=utcnow)
    claimed_by: str = Field(default="", max_length=64)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
