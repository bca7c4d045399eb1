"""The issue tracker: issues clients report and staff work, their entries (public
replies, internal notes, change events: the history), and what administrators
configure (statuses, categories, priorities with business-hours targets, custom
fields), staff members' saved views and each organization's settings.

- An issue belongs to one organization and has a display number counted per
  organization (``#12`` of Northwind is not ``#12`` of Globex).
- ``public_fields`` / ``internal_fields`` are JSON objects (field id -> value) kept in
  two columns so a client's query never selects the internal one.
- An entry is ``reply`` (public), ``note`` (internal: staff only) or ``event`` (a change:
  ``change`` says what; ``public`` says whether clients see it, e.g. a status change
  whose client-facing label moved; assignments and internal fields are never public).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow

REPLY, NOTE, EVENT = "reply", "note", "event"
ENTRY_KINDS = (REPLY, NOTE, EVENT)
WAITING_CLIENT, WAITING_STAFF = "client", "staff"
FIELD_TYPES = ("text", "choice", "number", "date")
ISSUE_OWNER = "issue"
DEFAULT_REOPEN_DAYS = 14


class IssueStatus(SQLModel, table=True):
    __tablename__ = "issue_status"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True)
    label: str = Field(max_length=60)
    # False: clients see ``client_label`` instead of ``label``.
    client_visible: bool = True
    client_label: str = Field(default="", max_length=60)
    is_resolved: bool = False
    is_closed: bool = False
    position: int = 0


class IssueCategory(SQLModel, table=True):
    __tablename__ = "issue_category"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    position: int = 0


class IssuePriority(SQLModel, table=True):
    __tablename__ = "issue_priority"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True)
    label: str = Field(max_length=60)
    # Targets in business hours (None: no target).
    first_response_hours: int | None = None
    resolution_hours: int | None = None
    position: int = 0


class IssueField(SQLModel, table=True):
    __tablename__ = "issue_field"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=80)
    field_type: str = Field(default="text", max_length=16)
    # A JSON list of the choices (type "choice").
    options: str = Field(default="[]", max_length=4000)
    required: bool = False
    # Internal fields are staff-only: never shown to, asked of or sent to a client.
    internal: bool = False
    position: int = 0


class IssueSettings(SQLModel, table=True):
    """One organization's issue settings (defaults when there is no row)."""

    __tablename__ = "issue_settings"

    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    clients_see_all: bool = False
    reopen_days: int = DEFAULT_REOPEN_DAYS


class Issue(SQLModel, table=True):
    __tablename__ = "issue"
    __table_args__ = (
        UniqueConstraint("organization_id", "number", name="uq_issue_organization_number"),
        Index("ix_issue_status_updated", "status_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    number: int
    reporter_id: int = Field(foreign_key="user_account.id", index=True)
    title: str = Field(max_length=200)
    description_html: str = ""
    category_id: int | None = Field(default=None, foreign_key="issue_category.id")
    priority_id: int | None = Field(default=None, foreign_key="issue_priority.id")
    status_id: int = Field(foreign_key="issue_status.id")
    assignee_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    waiting_on: str = Field(default="", max_length=8)
    public_fields: str = "{}"
    internal_fields: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None


class IssueEntry(SQLModel, table=True):
    __tablename__ = "issue_entry"

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    kind: str = Field(max_length=8)
    public: bool = True
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    body_html: str = ""
    # Events: a JSON object {"what": "status" | "assignee" | ..., "from": ..., "to": ...}.
    change: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class IssueSavedView(SQLModel, table=True):
    __tablename__ = "issue_saved_view"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=80)
    # The filters as list_issues takes them (JSON).
    filters: str = Field(default="{}", max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)
