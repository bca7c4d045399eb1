"""Change-feed versions for live updates, when no Redis is configured (``services.live``)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class LiveTopic(SQLModel, table=True):
    """One topic's version ("widget:12:ab12cd34", "person:7"): bumped after every
    committed change to what the topic covers; open tabs watching it reload."""

    __tablename__ = "live_topic"

    topic: str = Field(primary_key=True, max_length=120)
    version: int = Field(default=0)
