"""What people add to widgets: comments and form submissions (files: ``models/files``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow


class WidgetComment(SQLModel, table=True):
    __tablename__ = "widget_comment"

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", index=True)
    widget_id: str = Field(max_length=32, index=True)
    parent_id: int | None = Field(default=None, foreign_key="widget_comment.id")
    author_id: int = Field(foreign_key="user_account.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    # A guest's comment is read by staff and that guest until staff show it to everyone
    # who sees the page (access.reads_words_of).
    shown_to_page: bool = False


class FormSubmission(SQLModel, table=True):
    __tablename__ = "form_submission"

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", index=True)
    widget_id: str = Field(max_length=32, index=True)
    submitter_id: int = Field(foreign_key="user_account.id", index=True)
    data: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="Pending", max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WidgetEntry(SQLModel, table=True):
    """One person's own data on one widget (a checklist's ticks, a poll's vote): what a
    widget type stores per reader without a table of its own. Only that person and the
    widget's own actions read it (``services.widget_entries``)."""

    __tablename__ = "widget_entry"
    __table_args__ = (UniqueConstraint("page_id", "widget_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", index=True)
    widget_id: str = Field(max_length=32)
    person_id: int = Field(foreign_key="user_account.id", index=True)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
