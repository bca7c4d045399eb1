"""SQLModel tables, one module per domain. Importing this package registers them all."""

from portal_app.models.accounts import (
    Invitation,
    LoginAttempt,
    Organization,
    OrganizationStaff,
    PasswordReset,
    Role,
    User,
    UserSession,
)
from portal_app.models.audit import AuditEvent
from portal_app.models.mail import OutboxMessage

__all__ = [
    "AuditEvent",
    "Invitation",
    "LoginAttempt",
    "Organization",
    "OrganizationStaff",
    "OutboxMessage",
    "PasswordReset",
    "Role",
    "User",
    "UserSession",
]
