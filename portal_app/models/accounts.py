"""People, client organizations, sessions, invitations and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    LIMITED = "limited"


class Organization(SQLModel, table=True):
    """A client company. Nothing of one organization may reach another."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    archived: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased: the unique index is then case-insensitive on every engine.
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: str = Field(default=Role.LIMITED, max_length=16)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    active: bool = Field(default=True)
    password_hash: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
    last_sign_in_at: datetime | None = None


class OrganizationStaff(SQLModel, table=True):
    """A staff member assigned to work with a client organization (its members see them)."""

    __tablename__ = "organization_staff"

    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)


class UserSession(SQLModel, table=True):
    """A server-side sign-in session; the browser holds only the opaque token."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    idle_expires_at: datetime
    expires_at: datetime
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class Invitation(SQLModel, table=True):
    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=16)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    inviter_id: int | None = Field(default=None, foreign_key="user_account.id")
    message: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """One sign-in or reset attempt, counted per account and per client address."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    attempted_at: datetime = Field(default_factory=utcnow, index=True)
    succeeded: bool = Field(default=False)
    # On an address's row: the account tried from it (an address is throttled by how
    # many different accounts failed from it; see services/throttle.py).
    account: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
