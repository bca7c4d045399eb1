"""What people add to widgets: comments and form submissions (files: ``models/files``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
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
