"""Pages: their draft and published layouts, versions, permissions and subscribers.

A layout is JSON: ``{"sections": [{"id": "s…", "columns": [["w…", ...], ...]}],
"widgets": {"w…": {"type": "rich_text", "config": {...}}}}``. Widget ids are made by
the server; content people add to a widget (comments, submissions, files) is stored
against (page id, widget id).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow

EMPTY_LAYOUT = '{"sections": [], "widgets": {}}'


def load_layout(text: str) -> dict[str, Any]:
    """A stored layout as data (sections and widgets always present)."""
    layout = json.loads(text or "{}")
    layout.setdefault("sections", [])
    layout.setdefault("widgets", {})
    return layout


class Page(SQLModel, table=True):
    __tablename__ = "page"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    slug: str = Field(max_length=120, unique=True, index=True)
    parent_id: int | None = Field(default=None, foreign_key="page.id", index=True)
    icon: str = Field(default="file-text", max_length=40)
    position: int = Field(default=0)
    # The home page every signed-in person opens; an organization's home overrides it.
    is_home: bool = Field(default=False)
    home_organization_id: int | None = Field(default=None, foreign_key="organization.id")
    # "all": every staff member; "restricted": admins and the staff listed in PageStaffAccess.
    staff_access: str = Field(default="all", max_length=16)
    draft_layout: str = Field(default=EMPTY_LAYOUT, sa_column=Column(Text, nullable=False))
    # Bumped by every draft change: an editor holding an older revision is told to reload.
    draft_revision: int = Field(default=1)
    draft_updated_at: datetime = Field(default_factory=utcnow)
    draft_updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    published_version: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    archived: bool = Field(default=False)


class PageVersion(SQLModel, table=True):
    """A published snapshot (title and layout with every widget's config)."""

    __tablename__ = "page_version"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", index=True)
    number: int
    title: str = Field(max_length=200)
    layout: str = Field(sa_column=Column(Text, nullable=False))
    note: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")


class PageStaffAccess(SQLModel, table=True):
    """Staff allowed to see a page whose staff access is restricted."""

    __tablename__ = "page_staff_access"

    page_id: int = Field(foreign_key="page.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)


class PageGrant(SQLModel, table=True):
    """A page shared with a client organization or one limited user."""

    __tablename__ = "page_grant"

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # "view" or "contribute" (comment, submit forms, upload where a widget allows).
    level: str = Field(default="view", max_length=16)


class PageSubscription(SQLModel, table=True):
    __tablename__ = "page_subscription"

    page_id: int = Field(foreign_key="page.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
