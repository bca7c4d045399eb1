"""Shares: links that open one item for people outside (guests, anyone with a web link)
or, as a convenience, for signed-in people who may already see it (secured links).

Only a token's SHA-256 is stored. A share is about one item (``item_type``,
``item_id``) and records the page that item lives on (``page_id``), so "which shares
may this staff member manage" is the page visibility rule, applied in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow

GUEST, WEB, SECURED = "guest", "web", "secured"
KINDS = (GUEST, WEB, SECURED)
ACTIVE, DEACTIVATED, REMOVED = "active", "deactivated", "removed"
PAGE_ITEM, FILE_ITEM = "page", "file"
# A library document (its current version), and an organization's dropsite.
DOCUMENT_ITEM, DROPSITE_ITEM = "document", "dropsite"


class Share(SQLModel, table=True):
    __tablename__ = "share"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    item_type: str = Field(max_length=16)
    item_id: int
    # The page the item lives on (pages, widget files); library documents and dropsites
    # belong to an organization instead.
    page_id: int | None = Field(default=None, foreign_key="page.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_by: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    password_hash: str | None = Field(default=None, max_length=128)
    contribute: bool = False
    # Guest invitations: the guest's account (for what they write) and address.
    guest_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    guest_email: str = Field(default="", max_length=254)
    message: str = Field(default="", max_length=2000)
    status: str = Field(default=ACTIVE, max_length=16, index=True)
    last_used_at: datetime | None = None
    use_count: int = 0
    download_limit: int | None = None
    download_count: int = 0
    notify_first_open: bool = False
    first_opened_at: datetime | None = None


class ShareAccess(SQLModel, table=True):
    """One use of a share: opened, unlocked, a file downloaded."""

    __tablename__ = "share_access"

    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(foreign_key="share.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    what: str = Field(default="", max_length=300)


class ShareSession(SQLModel, table=True):
    """A browser that opened a guest or web link to a page: it acts as that share's
    guest until the share ends or the session expires."""

    __tablename__ = "share_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    share_id: int = Field(foreign_key="share.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class SharingPolicy(SQLModel, table=True):
    """The portal's one row of sharing rules, set by admins, enforced by the server."""

    __tablename__ = "sharing_policy"

    id: int | None = Field(default=None, primary_key=True)
    default_expiry_days: int = 30
    max_expiry_days: int = 365
    web_password_required: bool = False
    # Signs the short-lived download URLs of shared files (shared by every worker).
    signing_key: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)
