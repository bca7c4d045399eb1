"""Who sees which issues, and what of them.

- Staff (administrators and regular staff) see and work every issue: replies,
  internal notes, statuses, assignment, internal fields, saved views, the dashboard.
- A client sees the issues they reported, and every issue of their organization when
  the organization allows it (``issue_settings.clients_see_all``). They never read an
  internal note, an internal field, a non-public change event (assignment, internal
  field changes) or the assignee.
- A guest sees only the issue their link scopes (``actor.scope == ("issue", id)``), with
  a client's view of it; anyone else sees nothing.
- Administrators configure statuses, categories, priorities, custom fields and
  organizations' issue settings.

Lookups answer the same ``NotFound`` whether an issue is missing, hidden or its id
malformed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import Session, col, select

from portal_app.access.actors import Actor
from portal_app.db import session_scope
from portal_app.errors import NotFound
from portal_app.ids import parse_id
from portal_app.models import Issue, IssueEntry, IssueSettings, StoredFile
from portal_app.models.issues import ISSUE_OWNER, NOTE

ISSUE_NOT_FOUND = "This issue doesn't exist or isn't shared with you."
ISSUE_SCOPE = "issue"


def can_work_issues(actor: Actor) -> bool:
    """Replies asking the client, internal notes, statuses, assignment, bulk changes,
    saved views, the dashboard: the firm's people."""
    return actor.is_staff


def can_configure_issues(actor: Actor) -> bool:
    """Statuses, categories, priorities, custom fields, organizations' issue settings."""
    return actor.is_admin


def reads_internal_issue_data(actor: Actor) -> bool:
    """Internal notes, internal fields, non-public events, the assignee: staff only."""
    return actor.is_staff


def may_report_issue(actor: Actor) -> bool:
    """Staff (for any organization) and clients (for their own)."""
    return actor.is_staff or (actor.is_client and actor.organization_id is not None)


def _organizations_sharing_issues():
    return select(IssueSettings.organization_id).where(col(IssueSettings.clients_see_all))


def visible_issues_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_staff:
        return true()
    if actor.is_client and actor.organization_id is not None:
        return and_(
            Issue.organization_id == actor.organization_id,
            or_(
                Issue.reporter_id == actor.user_id,
                col(Issue.organization_id).in_(_organizations_sharing_issues()),
            ),
        )
    if actor.is_guest and actor.scope is not None and actor.scope[0] == ISSUE_SCOPE:
        return Issue.id == actor.scope[1]
    return false()


def visible_entries_filter(actor: Actor) -> ColumnElement[bool]:
    """Which entries of a visible issue ``actor`` reads: staff all; anyone else public
    replies and public events, never an internal note."""
    if reads_internal_issue_data(actor):
        return true()
    return and_(IssueEntry.kind != NOTE, col(IssueEntry.public).is_(True))


def access_issue(session: Session, actor: Actor, issue_id: object) -> Issue:
    try:
        number = parse_id(issue_id)
    except NotFound as exc:
        raise NotFound(ISSUE_NOT_FOUND) from exc
    issue = session.exec(
        select(Issue).where(Issue.id == number, visible_issues_filter(actor))
    ).first()
    if issue is None:
        raise NotFound(ISSUE_NOT_FOUND)
    return issue


def sees_issue(session: Session, actor: Actor, issue_id: int) -> bool:
    return (
        session.exec(
            select(Issue.id).where(Issue.id == issue_id, visible_issues_filter(actor))
        ).first()
        is not None
    )


def reads_issue_file(actor: Actor, file: StoredFile) -> bool:
    """An issue's attachment: whoever sees the issue (the download rule)."""
    if file.owner_type != ISSUE_OWNER or not file.owner_id.isdigit():
        return False
    with session_scope() as session:
        return sees_issue(session, actor, int(file.owner_id))
