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
from portal_app.models.documents import Document, DocumentFolder, DropsiteBatch
from portal_app.models.files import StoredFile
from portal_app.models.issues import (
    Issue,
    IssueCategory,
    IssueEntry,
    IssueField,
    IssuePriority,
    IssueSavedView,
    IssueSettings,
    IssueStatus,
)
from portal_app.models.live import LiveTopic
from portal_app.models.mail import OutboxMessage
from portal_app.models.pages import Page, PageGrant, PageStaffAccess, PageSubscription, PageVersion
from portal_app.models.sharing import Share, ShareAccess, ShareSession, SharingPolicy
from portal_app.models.transfers import UploadSession
from portal_app.models.widgets import FormSubmission, WidgetComment, WidgetEntry

__all__ = [
    "AuditEvent",
    "Document",
    "DocumentFolder",
    "DropsiteBatch",
    "FormSubmission",
    "Invitation",
    "Issue",
    "IssueCategory",
    "IssueEntry",
    "IssueField",
    "IssuePriority",
    "IssueSavedView",
    "IssueSettings",
    "IssueStatus",
    "LiveTopic",
    "LoginAttempt",
    "Organization",
    "OrganizationStaff",
    "OutboxMessage",
    "Page",
    "PageGrant",
    "PageStaffAccess",
    "PageSubscription",
    "PageVersion",
    "PasswordReset",
    "Role",
    "Share",
    "ShareAccess",
    "ShareSession",
    "SharingPolicy",
    "StoredFile",
    "UploadSession",
    "User",
    "UserSession",
    "WidgetComment",
    "WidgetEntry",
]
