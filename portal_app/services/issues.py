"""The issue tracker: clients report issues and follow them; staff work them.

Rules enforced here on every call (who sees what is ``access/issues.py``):
- a client reports for their own organization, staff for any; the description is
  rich text sanitized before it is stored; category, priority and custom field values
  are checked against what administrators configured;
- lists and details are bounded by ``access.visible_issues_filter`` in the query; a
  client's rows and details are built from public columns only (``ClientIssueRow``,
  ``IssueDetail.staff is None``), and entries are filtered in the query
  (``access.visible_entries_filter``): a client never receives an internal note, an
  internal field, a non-public event or the assignee;
- every change (status, assignee, fields) is an ``event`` entry: the history;
- a staff reply may ask the client (waiting on the client); a client's reply puts the
  issue back with staff; the first public staff reply sets ``first_response_at``;
- a client closes their own issue and reopens it within the organization's window;
- mail: a public reply and a status change a client can see are mailed to the
  issue's participants (never an internal note's text; a client hears nothing of a
  change they can't see), queued in the change's transaction for the mail worker;
- targets: each priority's first-response and resolution targets count business hours
  (Mon–Fri 09:00–17:00 in ``PORTAL_BUSINESS_TIMEZONE``, default Europe/London):
  ``business_due``; staff rows say when an issue is overdue.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Forbidden, Invalid, NotFound, PortalError
from portal_app.ids import parse_id
from portal_app.models import (
    Issue,
    IssueCategory,
    IssueEntry,
    IssueField,
    IssuePriority,
    IssueSavedView,
    IssueSettings,
    IssueStatus,
    Organization,
    OrganizationStaff,
    StoredFile,
    User,
)
from portal_app.models.files import QUARANTINED
from portal_app.models.issues import (
    DEFAULT_REOPEN_DAYS,
    EVENT,
    FIELD_TYPES,
    ISSUE_OWNER,
    NOTE,
    REPLY,
    WAITING_CLIENT,
    WAITING_STAFF,
)
from portal_app.services import audit, mail
from portal_app.services.files import clean_filename, size_text, type_label
from portal_app.services.html import sanitize_html
from portal_app.services.links import portal_url
from portal_app.services.text import clean_line
from portal_app.storage import SavedBlob, get_storage

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_BULK = 500
MAX_SEARCH_WORDS = 8
MAX_WORD = 100
MAX_REOPEN_DAYS = 365
BUSINESS_START, BUSINESS_END = time(9, 0), time(17, 0)
ORGANIZATION_NOT_FOUND = "This client doesn't exist."
VIEW_NOT_FOUND = "This saved view doesn't exist."
OPTION_NOT_FOUND = "This option doesn't exist."
SORTS = ("updated", "created", "priority", "number", "title")
OPTION_KINDS = ("status", "category", "priority", "field")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


# --- what states receive ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClientIssueRow:
    """A row of a client's (or guest's) list: public columns only."""

    id: int
    number: str
    title: str
    status: str
    priority: str
    category: str
    reporter: str
    created: str
    updated: str
    waiting_on_you: bool
    closed: bool


@dataclass(frozen=True)
class IssueRow:
    """A row of a staff list."""

    id: int
    number: str
    title: str
    status: str
    status_key: str
    priority: str
    priority_key: str
    category: str
    organization_id: int
    organization: str
    reporter: str
    assignee_id: int
    assignee: str
    waiting_on: str
    created: str
    updated: str
    age_days: int
    first_response_due: str
    resolution_due: str
    overdue: bool
    closed: bool


@dataclass(frozen=True)
class FieldValue:
    field_id: int
    label: str
    value: str


@dataclass(frozen=True)
class EntryRow:
    id: int
    kind: str  # "reply", "note" (staff only) or "event"
    author: str
    body_html: str
    change: str  # events: "Status: New → Open"
    created: str
    by_staff: bool


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    name: str
    size: str
    type_label: str
    uploader: str
    created: str
    url: str  # "" while the virus scanner holds it back
    quarantined: bool


@dataclass(frozen=True)
class StaffIssueInfo:
    """What only staff read of an issue."""

    status_key: str
    assignee_id: int
    assignee: str
    waiting_on: str
    internal_fields: list[FieldValue]
    first_response_due: str
    resolution_due: str
    overdue: bool
    organization_id: int


@dataclass(frozen=True)
class IssueDetail:
    id: int
    number: str
    title: str
    description_html: str
    status: str
    priority: str
    category: str
    organization: str
    reporter: str
    created: str
    updated: str
    waiting_on_you: bool
    closed: bool
    fields: list[FieldValue]
    entries: list[EntryRow]
    attachments: list[AttachmentRow]
    can_reply: bool
    can_close: bool
    can_reopen: bool
    # None for clients and guests.
    staff: StaffIssueInfo | None = None


@dataclass(frozen=True)
class OptionRow:
    id: int
    key: str
    label: str
    client_visible: bool = True
    client_label: str = ""
    is_resolved: bool = False
    is_closed: bool = False
    first_response_hours: int | None = None
    resolution_hours: int | None = None


@dataclass(frozen=True)
class FieldRow:
    id: int
    label: str
    field_type: str
    options: list[str]
    required: bool
    internal: bool


@dataclass(frozen=True)
class IssueOptions:
    """The lists a report form and filters offer: a client gets categories,
    priorities and public fields; staff also statuses and internal fields."""

    categories: list[OptionRow]
    priorities: list[OptionRow]
    fields: list[FieldRow]
    statuses: list[OptionRow] = field(default_factory=list)


@dataclass(frozen=True)
class OrganizationIssueSettings:
    organization_id: int
    clients_see_all: bool
    reopen_days: int


@dataclass(frozen=True)
class SavedViewRow:
    id: int
    name: str
    filters: dict[str, Any]


@dataclass(frozen=True)
class DashboardRow:
    organization_id: int
    organization: str
    open: int
    waiting_on_us: int
    waiting_on_client: int
    overdue: int
    oldest_days: int
    average_days: float


# --- business hours ---------------------------------------------------------------------------


def business_zone(name: str | None = None) -> ZoneInfo:
    try:
        return ZoneInfo(name or get_settings().business_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def _day_at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def business_due(start: datetime, hours: float, zone: str | ZoneInfo | None = None) -> datetime:
    """When ``hours`` business hours (Mon–Fri 09:00–17:00 local time) have passed after
    ``start`` (UTC-aware); the answer is in UTC. Time outside business hours doesn't
    count: an issue reported on Friday at 16:00 with a 2-hour target is due Monday at
    10:00."""
    tz = zone if isinstance(zone, ZoneInfo) else business_zone(zone)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    local = start.astimezone(tz)
    remaining = timedelta(hours=max(0.0, float(hours)))
    for _ in range(100_000):
        day = local.date()
        opens, closes = _day_at(day, BUSINESS_START, tz), _day_at(day, BUSINESS_END, tz)
        if local.weekday() >= 5 or local >= closes:
            local = _day_at(day + timedelta(days=1), BUSINESS_START, tz)
            continue
        local = max(local, opens)
        available = closes - local
        if remaining <= available:
            return (local + remaining).astimezone(UTC)
        remaining -= available
        local = _day_at(day + timedelta(days=1), BUSINESS_START, tz)
    raise Invalid("This target is too far away.")


def _targets(
    issue: Issue, priority: IssuePriority | None, status: IssueStatus, now: datetime
) -> tuple[datetime | None, datetime | None, bool]:
    if priority is None:
        return None, None, False
    zone = business_zone()
    first = (
        business_due(issue.created_at, priority.first_response_hours, zone)
        if priority.first_response_hours is not None
        else None
    )
    resolution = (
        business_due(issue.created_at, priority.resolution_hours, zone)
        if priority.resolution_hours is not None
        else None
    )
    done = status.is_resolved or status.is_closed
    overdue = not done and (
        (first is not None and issue.first_response_at is None and now > first)
        or (resolution is not None and now > resolution)
    )
    return first, resolution, overdue


# --- small helpers ----------------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return moment.strftime("%-d %b %Y, %H:%M") if moment else ""


def _number(issue: Issue) -> str:
    return f"#{issue.number}"


def client_status_label(status: IssueStatus) -> str:
    """What a client reads for ``status``: its label, or the client-facing label of a
    status clients aren't shown."""
    if status.client_visible:
        return status.label
    return status.client_label or "Open"


def _plain(html: str) -> str:
    text = nh3.clean(re.sub(r"</(p|li|h[2-4]|blockquote|pre)>|<br\s*/?>", "\n", html), tags=set())
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<")
    return "\n".join(line.strip() for line in text.replace("&gt;", ">").splitlines()).strip()


def _rich_text(raw: object, field_name: str, *, required: bool, what: str) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise Invalid(f"{what} must be text.", field_name)
    if len(raw) > MAX_BODY:
        raise Invalid(f"{what} is too long: use at most {MAX_BODY:,} characters.", field_name)
    clean = sanitize_html(raw)
    if required and not _plain(clean) and "<img" not in clean:
        raise Invalid(f"Write {what.lower()}.", field_name)
    return clean


def _title(raw: object) -> str:
    title = clean_line(raw) if isinstance(raw, str) else ""
    if not title:
        raise Invalid("Enter a title.", "title")
    if len(title) > MAX_TITLE:
        raise Invalid(f"Use at most {MAX_TITLE} characters for the title.", "title")
    return title


def _json(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _optional_id(raw: object, field_name: str, message: str) -> int | None:
    if raw in (None, "", 0):
        return None
    try:
        return parse_id(raw)
    except NotFound as exc:
        raise Invalid(message, field_name) from exc


def _statuses(session: Session) -> list[IssueStatus]:
    return list(
        session.exec(select(IssueStatus).order_by(col(IssueStatus.position), col(IssueStatus.id)))
    )


def _status_by_key(session: Session, key: object) -> IssueStatus:
    if not isinstance(key, str) or not key:
        raise Invalid("Choose a status from the list.", "status")
    status = session.exec(select(IssueStatus).where(IssueStatus.key == key)).first()
    if status is None:
        raise Invalid("Choose a status from the list.", "status")
    return status


def _organization(session: Session, actor: Actor, organization_id: object) -> Organization:
    """The organization an issue is for: a client's own; for staff the one named."""
    if actor.is_client:
        if organization_id not in (None, "", 0, actor.organization_id):
            raise NotFound(ORGANIZATION_NOT_FOUND)
        organization = session.get(Organization, actor.organization_id)
    elif organization_id in (None, "", 0):
        raise Invalid("Choose a client.", "organization")
    else:
        try:
            number = parse_id(organization_id)
        except NotFound as exc:
            raise NotFound(ORGANIZATION_NOT_FOUND) from exc
        organization = session.get(Organization, number)
    if organization is None:
        raise NotFound(ORGANIZATION_NOT_FOUND)
    return organization


def _settings(session: Session, organization_id: int) -> IssueSettings:
    found = session.get(IssueSettings, organization_id)
    return found or IssueSettings(organization_id=organization_id)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {
        u.id or 0: u.display_name for u in session.exec(select(User).where(col(User.id).in_(ids)))
    }


def _fields(session: Session) -> list[IssueField]:
    return list(
        session.exec(select(IssueField).order_by(col(IssueField.position), col(IssueField.id)))
    )


def _field_value(definition: IssueField, raw: object) -> str:
    """A custom field's value checked against its type (stored as text)."""
    name = f"field_{definition.id}"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if definition.required:
            raise Invalid(f"Fill in “{definition.label}”.", name)
        return ""
    if definition.field_type == "number":
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise Invalid(f"“{definition.label}” must be a number.", name)
        try:
            number = float(raw)
        except ValueError as exc:
            raise Invalid(f"“{definition.label}” must be a number.", name) from exc
        if number != number or abs(number) > 1e15:
            raise Invalid(f"“{definition.label}” must be a number.", name)
        return f"{number:g}"
    if not isinstance(raw, str):
        raise Invalid(f"“{definition.label}” must be text.", name)
    if definition.field_type == "date":
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError as exc:
            raise Invalid(f"“{definition.label}” must be a date (YYYY-MM-DD).", name) from exc
    value = clean_line(raw)
    if definition.field_type == "choice":
        options = _options_of(definition)
        if value not in options:
            raise Invalid(f"Choose “{definition.label}” from the list.", name)
        return value
    if len(value) > 500:
        raise Invalid(f"Use at most 500 characters for “{definition.label}”.", name)
    return value


def _options_of(definition: IssueField) -> list[str]:
    try:
        options = json.loads(definition.options or "[]")
    except ValueError:
        return []
    return [o for o in options if isinstance(o, str)] if isinstance(options, list) else []


def _check_fields(
    session: Session, actor: Actor, values: object, *, partial: bool = False
) -> tuple[dict[str, str], dict[str, str]]:
    """(public, internal) values by field id. A client may set public fields only: an
    internal field's id is answered like one that doesn't exist."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise Invalid("The custom fields could not be read.", "fields")
    definitions = {
        str(d.id): d
        for d in _fields(session)
        if access.reads_internal_issue_data(actor) or not d.internal
    }
    for key in values:
        if str(key) not in definitions:
            raise Invalid("This form has a field that no longer exists. Reload it.", "fields")
    public: dict[str, str] = {}
    internal: dict[str, str] = {}
    for key, definition in definitions.items():
        present = key in values or (key.isdigit() and int(key) in values)
        if partial and not present:
            continue
        raw = values.get(key, values.get(int(key)) if key.isdigit() else None)
        value = _field_value(definition, raw)
        (internal if definition.internal else public)[key] = value
    return public, internal


def _field_values(session: Session, stored: str, *, internal: bool) -> list[FieldValue]:
    values = _json(stored)
    return [
        FieldValue(d.id or 0, d.label, str(values.get(str(d.id), "")))
        for d in _fields(session)
        if d.internal == internal and values.get(str(d.id), "") != ""
    ]


# --- mail -------------------------------------------------------------------------------------


def _participants(session: Session, issue: Issue) -> list[User]:
    """The reporter, everyone who wrote a public reply, and the assignee (active
    accounts only); a client among them only while they still see the issue."""
    ids = {issue.reporter_id}
    if issue.assignee_id:
        ids.add(issue.assignee_id)
    ids |= {
        a
        for a in session.exec(
            select(IssueEntry.author_id).where(
                IssueEntry.issue_id == issue.id, IssueEntry.kind == REPLY
            )
        )
        if a
    }
    people = list(session.exec(select(User).where(col(User.id).in_(ids), col(User.active))))
    return [
        u
        for u in people
        if access.works_for_firm(u)
        or access.sees_issue(session, access.actor_for(u), issue.id or 0)
    ]


def _mail_participants(
    session: Session,
    actor: Actor,
    issue: Issue,
    subject: str,
    body_for: Any,
) -> None:
    """One message per participant but the actor; ``body_for(user)`` returns the text
    for that reader, or None when they are not to hear of it."""
    messages = []
    for user in _participants(session, issue):
        if user.id == actor.user_id:
            continue
        body = body_for(user)
        if body is not None:
            messages.append((user.email, subject, body))
    mail.queue_many(session, messages)


def _link(issue: Issue) -> str:
    return portal_url(f"/issues/{issue.id}")


def _tell_staff_of_report(session: Session, actor: Actor, issue: Issue) -> None:
    ids = set(
        session.exec(
            select(OrganizationStaff.user_id).where(
                OrganizationStaff.organization_id == issue.organization_id
            )
        )
    )
    recipients = list(
        session.exec(select(User).where(col(User.id).in_(ids), access.staff_accounts_filter()))
    )
    if not recipients:
        recipients = list(session.exec(select(User).where(access.admin_accounts_filter())))
    organization = session.get(Organization, issue.organization_id)
    subject = f"New issue {_number(issue)}: {issue.title}"
    body = (
        f"{actor.display_name} reported an issue for "
        f"{organization.name if organization else 'a client'}:\n\n{issue.title}\n\n"
        f"Open it: {_link(issue)}\n"
    )
    mail.queue_many(
        session, [(u.email, subject, body) for u in recipients if u.id != actor.user_id]
    )


# --- rows and details -------------------------------------------------------------------------


class _Lookups:
    def __init__(self, session: Session):
        self.statuses = {s.id: s for s in _statuses(session)}
        self.priorities = {p.id: p for p in session.exec(select(IssuePriority))}
        self.categories = {c.id: c for c in session.exec(select(IssueCategory))}

    def status(self, issue: Issue) -> IssueStatus:
        return self.statuses.get(issue.status_id) or IssueStatus(key="", label="")

    def priority(self, issue: Issue) -> IssuePriority | None:
        return self.priorities.get(issue.priority_id)

    def priority_label(self, issue: Issue) -> str:
        found = self.priority(issue)
        return found.label if found else ""

    def category(self, issue: Issue) -> str:
        found = self.categories.get(issue.category_id)
        return found.name if found else ""


def _client_row(lookups: _Lookups, names: dict[int, str], issue: Issue) -> ClientIssueRow:
    status = lookups.status(issue)
    return ClientIssueRow(
        id=issue.id or 0,
        number=_number(issue),
        title=issue.title,
        status=client_status_label(status),
        priority=lookups.priority_label(issue),
        category=lookups.category(issue),
        reporter=names.get(issue.reporter_id, ""),
        created=_when(issue.created_at),
        updated=_when(issue.updated_at),
        waiting_on_you=issue.waiting_on == WAITING_CLIENT,
        closed=status.is_closed,
    )


def _staff_row(
    lookups: _Lookups,
    names: dict[int, str],
    organizations: dict[int, str],
    issue: Issue,
    now: datetime,
) -> IssueRow:
    status = lookups.status(issue)
    priority = lookups.priority(issue)
    first, resolution, overdue = _targets(issue, priority, status, now)
    return IssueRow(
        id=issue.id or 0,
        number=_number(issue),
        title=issue.title,
        status=status.label,
        status_key=status.key,
        priority=priority.label if priority else "",
        priority_key=priority.key if priority else "",
        category=lookups.category(issue),
        organization_id=issue.organization_id,
        organization=organizations.get(issue.organization_id, ""),
        reporter=names.get(issue.reporter_id, ""),
        assignee_id=issue.assignee_id or 0,
        assignee=names.get(issue.assignee_id or 0, ""),
        waiting_on=issue.waiting_on,
        created=_when(issue.created_at),
        updated=_when(issue.updated_at),
        age_days=max(0, (now - issue.created_at).days),
        first_response_due=_when(first) if issue.first_response_at is None else "",
        resolution_due=_when(resolution),
        overdue=overdue,
        closed=status.is_closed,
    )


def _change_text(change: str) -> str:
    data = _json(change)
    what = {"status": "Status", "assignee": "Assignee", "fields": "Fields"}.get(
        str(data.get("what", "")), "Change"
    )
    before, after = data.get("from", ""), data.get("to", "")
    return f"{what}: {before or '—'} → {after or '—'}"


def _client_change(change: str) -> str:
    """A public status event as a client reads it (client-facing labels)."""
    data = _json(change)
    return f"Status: {data.get('client_from') or '—'} → {data.get('client_to') or '—'}"


def _entries(session: Session, actor: Actor, issue: Issue) -> list[EntryRow]:
    entries = list(
        session.exec(
            select(IssueEntry)
            .where(IssueEntry.issue_id == issue.id, access.visible_entries_filter(actor))
            .order_by(col(IssueEntry.created_at), col(IssueEntry.id))
        )
    )
    authors = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.id).in_({e.author_id for e in entries if e.author_id}))
        )
    }
    staff_view = access.reads_internal_issue_data(actor)
    rows = []
    for entry in entries:
        author = authors.get(entry.author_id)
        change = ""
        if entry.kind == EVENT:
            change = _change_text(entry.change) if staff_view else _client_change(entry.change)
        rows.append(
            EntryRow(
                id=entry.id or 0,
                kind=entry.kind,
                author=author.display_name if author else "",
                body_html=entry.body_html if entry.kind != EVENT else "",
                change=change,
                created=_when(entry.created_at),
                by_staff=bool(author and access.works_for_firm(author)),
            )
        )
    return rows


def _attachments(session: Session, issue: Issue) -> list[AttachmentRow]:
    found = list(
        session.exec(
            select(StoredFile)
            .where(
                StoredFile.owner_type == ISSUE_OWNER,
                StoredFile.owner_id == str(issue.id),
                col(StoredFile.deleted_at).is_(None),
            )
            .order_by(col(StoredFile.id))
        )
    )
    names = _names(session, {f.uploader_id for f in found})
    return [
        AttachmentRow(
            id=f.id or 0,
            name=f.filename,
            size=size_text(f.size),
            type_label=type_label(f.content_type),
            uploader=names.get(f.uploader_id, ""),
            created=_when(f.created_at),
            url="" if f.scan_status == QUARANTINED else f"/files/{f.id}",
            quarantined=f.scan_status == QUARANTINED,
        )
        for f in found
    ]


def _reopen_deadline(session: Session, issue: Issue) -> datetime | None:
    ended = issue.closed_at or issue.resolved_at
    if ended is None:
        return None
    return ended + timedelta(days=_settings(session, issue.organization_id).reopen_days)


def _detail(session: Session, actor: Actor, issue: Issue) -> IssueDetail:
    lookups = _Lookups(session)
    status = lookups.status(issue)
    names = _names(session, {issue.reporter_id, issue.assignee_id or 0})
    organization = session.get(Organization, issue.organization_id)
    done = status.is_closed or status.is_resolved
    reporter = issue.reporter_id == actor.user_id and actor.is_client
    deadline = _reopen_deadline(session, issue)
    staff = None
    if access.reads_internal_issue_data(actor):
        first, resolution, overdue = _targets(issue, lookups.priority(issue), status, utcnow())
        staff = StaffIssueInfo(
            status_key=status.key,
            assignee_id=issue.assignee_id or 0,
            assignee=names.get(issue.assignee_id or 0, ""),
            waiting_on=issue.waiting_on,
            internal_fields=_field_values(session, issue.internal_fields, internal=True),
            first_response_due=_when(first) if issue.first_response_at is None else "",
            resolution_due=_when(resolution),
            overdue=overdue,
            organization_id=issue.organization_id,
        )
    return IssueDetail(
        id=issue.id or 0,
        number=_number(issue),
        title=issue.title,
        description_html=issue.description_html,
        status=status.label if staff else client_status_label(status),
        priority=lookups.priority_label(issue),
        category=lookups.category(issue),
        organization=organization.name if organization else "",
        reporter=names.get(issue.reporter_id, ""),
        created=_when(issue.created_at),
        updated=_when(issue.updated_at),
        waiting_on_you=issue.waiting_on == WAITING_CLIENT and not staff,
        closed=status.is_closed,
        fields=_field_values(session, issue.public_fields, internal=False),
        entries=_entries(session, actor, issue),
        attachments=_attachments(session, issue),
        can_reply=access.can_work_issues(actor) or (actor.is_client and not status.is_closed),
        can_close=reporter and not status.is_closed,
        can_reopen=reporter and done and deadline is not None and utcnow() <= deadline,
        staff=staff,
    )


# --- reporting, lists, details -----------------------------------------------------------------


def issue_options(actor: Actor) -> IssueOptions:
    """What a report form and the filters offer ``actor``."""
    access.require(access.may_report_issue(actor) or access.can_work_issues(actor))
    staff = access.reads_internal_issue_data(actor)
    with session_scope() as session:
        categories = [
            OptionRow(c.id or 0, str(c.id), c.name)
            for c in session.exec(
                select(IssueCategory).order_by(col(IssueCategory.position), col(IssueCategory.id))
            )
        ]
        priorities = [
            OptionRow(
                p.id or 0,
                p.key,
                p.label,
                first_response_hours=p.first_response_hours if staff else None,
                resolution_hours=p.resolution_hours if staff else None,
            )
            for p in session.exec(
                select(IssuePriority).order_by(col(IssuePriority.position), col(IssuePriority.id))
            )
        ]
        fields = [
            FieldRow(d.id or 0, d.label, d.field_type, _options_of(d), d.required, d.internal)
            for d in _fields(session)
            if staff or not d.internal
        ]
        statuses = (
            [
                OptionRow(
                    s.id or 0,
                    s.key,
                    s.label,
                    s.client_visible,
                    s.client_label,
                    s.is_resolved,
                    s.is_closed,
                )
                for s in _statuses(session)
            ]
            if staff
            else []
        )
        return IssueOptions(categories, priorities, fields, statuses)


def report_issue(
    actor: Actor,
    title: object,
    description_html: object = "",
    category_id: object = None,
    priority: object = None,
    fields: object = None,
    organization_id: object = None,
) -> IssueDetail:
    """A new issue: a client's for their own organization, staff's for the one named."""
    access.require(access.may_report_issue(actor), "You can't report issues here.")
    clean_title = _title(title)
    description = _rich_text(
        description_html, "description", required=False, what="The description"
    )
    with session_scope() as session:
        organization = _organization(session, actor, organization_id)
        category = _optional_id(category_id, "category", "Choose a category from the list.")
        if category is not None and session.get(IssueCategory, category) is None:
            raise Invalid("Choose a category from the list.", "category")
        if priority in (None, ""):
            found = (
                session.exec(select(IssuePriority).where(IssuePriority.key == "normal")).first()
                or session.exec(select(IssuePriority).order_by(col(IssuePriority.position))).first()
            )
        elif isinstance(priority, str):
            found = session.exec(select(IssuePriority).where(IssuePriority.key == priority)).first()
            if found is None:
                raise Invalid("Choose a priority from the list.", "priority")
        else:
            raise Invalid("Choose a priority from the list.", "priority")
        public, internal = _check_fields(session, actor, fields)
        statuses = [s for s in _statuses(session) if not (s.is_closed or s.is_resolved)]
        if not statuses:
            raise Invalid("No status is set up for new issues. Ask an administrator.")
        number = (
            session.exec(
                select(func.max(Issue.number)).where(Issue.organization_id == organization.id)
            ).one()
            or 0
        ) + 1
        now = utcnow()
        issue = Issue(
            organization_id=organization.id or 0,
            number=number,
            reporter_id=actor.user_id,
            title=clean_title,
            description_html=description,
            category_id=category,
            priority_id=found.id if found else None,
            status_id=statuses[0].id or 0,
            waiting_on=WAITING_STAFF,
            public_fields=json.dumps(public),
            internal_fields=json.dumps(internal),
            created_at=now,
            updated_at=now,
        )
        session.add(issue)
        session.flush()
        audit.record(
            session,
            "issue_reported",
            actor_id=actor.user_id,
            target_type="issue",
            target_id=issue.id,
            organization_id=issue.organization_id,
        )
        _tell_staff_of_report(session, actor, issue)
        return _detail(session, actor, issue)


def _filters(raw: object) -> dict[str, Any]:
    """``list_issues``' filters, checked: status (key), priority (key), organization
    (id), assignee (id, "me" or "none"), category (id), waiting ("us" | "client"),
    scope ("mine" | "organization", clients), open (bool), q (text), sort."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise Invalid("The filters could not be read.", "filters")
    known = {
        "status",
        "priority",
        "organization",
        "assignee",
        "category",
        "waiting",
        "scope",
        "open",
        "q",
        "sort",
    }
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise Invalid(f"Unknown filter “{str(key)[:40]}”.", "filters")
        if value in (None, ""):
            continue
        if key in ("status", "priority"):
            if not isinstance(value, str) or not _KEY.match(value):
                raise Invalid(f"Choose a {key} from the list.", key)
        elif key in ("organization", "category"):
            try:
                value = parse_id(value)
            except NotFound as exc:
                raise Invalid(
                    f"Choose a {'client' if key == 'organization' else key}.", key
                ) from exc
        elif key == "assignee":
            if value not in ("me", "none"):
                try:
                    value = parse_id(value)
                except NotFound as exc:
                    raise Invalid("Choose a staff member.", key) from exc
        elif key == "waiting":
            if value not in ("us", "client"):
                raise Invalid("Choose “waiting on us” or “waiting on client”.", key)
        elif key == "scope":
            if value not in ("mine", "organization"):
                raise Invalid("Choose “mine” or “my organization”.", key)
        elif key == "open":
            if not isinstance(value, bool):
                raise Invalid("The open filter is yes or no.", key)
        elif key == "q":
            if not isinstance(value, str):
                raise Invalid("Search for text.", key)
            value = clean_line(value)[:500]
        elif key == "sort" and not _is_sort(value):
            raise Invalid("Choose how to sort.", key)
        clean[key] = value
    return clean


def _is_sort(value: object) -> bool:
    return isinstance(value, str) and value.removeprefix("-") in SORTS


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_issues(actor: Actor, filters: object = None) -> list[IssueRow] | list[ClientIssueRow]:
    """The issues ``actor`` sees, filtered and sorted: ``IssueRow`` for staff,
    ``ClientIssueRow`` (public columns only) for clients and guests."""
    chosen = _filters(filters)
    staff = access.reads_internal_issue_data(actor)
    with session_scope() as session:
        query = select(Issue).where(access.visible_issues_filter(actor))
        if "status" in chosen:
            query = query.where(
                col(Issue.status_id).in_(
                    select(IssueStatus.id).where(IssueStatus.key == chosen["status"])
                )
            )
            if not staff:
                # A client filters by what they read: a hidden status isn't a filter.
                query = query.where(
                    col(Issue.status_id).in_(
                        select(IssueStatus.id).where(col(IssueStatus.client_visible))
                    )
                )
        if "open" in chosen:
            done = select(IssueStatus.id).where(
                or_(col(IssueStatus.is_closed), col(IssueStatus.is_resolved))
            )
            query = query.where(
                col(Issue.status_id).not_in(done)
                if chosen["open"]
                else col(Issue.status_id).in_(done)
            )
        if "priority" in chosen:
            query = query.where(
                col(Issue.priority_id).in_(
                    select(IssuePriority.id).where(IssuePriority.key == chosen["priority"])
                )
            )
        if "category" in chosen:
            query = query.where(Issue.category_id == chosen["category"])
        if "organization" in chosen:
            query = query.where(Issue.organization_id == chosen["organization"])
        if "scope" in chosen and chosen["scope"] == "mine":
            query = query.where(Issue.reporter_id == actor.user_id)
        if staff:
            if "assignee" in chosen:
                wanted = chosen["assignee"]
                if wanted == "none":
                    query = query.where(col(Issue.assignee_id).is_(None))
                else:
                    query = query.where(
                        Issue.assignee_id == (actor.user_id if wanted == "me" else wanted)
                    )
            if "waiting" in chosen:
                query = query.where(
                    Issue.waiting_on
                    == (WAITING_STAFF if chosen["waiting"] == "us" else WAITING_CLIENT)
                )
        elif chosen.get("waiting") == "client":
            # "Waiting on you" for a client.
            query = query.where(Issue.waiting_on == WAITING_CLIENT)
        words = str(chosen.get("q", "")).split()[:MAX_SEARCH_WORDS]
        for word in words:
            pattern = f"%{_escape_like(word[:MAX_WORD].casefold())}%"
            query = query.where(
                or_(
                    func.lower(Issue.title).like(pattern, escape="\\"),
                    func.lower(Issue.description_html).like(pattern, escape="\\"),
                )
            )
        sort = str(chosen.get("sort", "-updated"))
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        if key == "priority":
            query = query.outerjoin(IssuePriority, IssuePriority.id == Issue.priority_id)
            order: Any = col(IssuePriority.position)
            # Higher position = more urgent; "-priority" lists the most urgent first.
        else:
            order = {
                "updated": col(Issue.updated_at),
                "created": col(Issue.created_at),
                "number": col(Issue.number),
                "title": func.lower(Issue.title),
            }[key]
        query = query.order_by(order.desc() if descending else order.asc(), col(Issue.id).desc())
        issues = list(session.exec(query.limit(1000)))
        lookups = _Lookups(session)
        ids = {i.reporter_id for i in issues}
        if staff:
            ids |= {i.assignee_id or 0 for i in issues}
        names = _names(session, ids)
        if not staff:
            return [_client_row(lookups, names, i) for i in issues]
        organizations = {
            o.id or 0: o.name
            for o in session.exec(
                select(Organization).where(
                    col(Organization.id).in_({i.organization_id for i in issues})
                )
            )
        }
        now = utcnow()
        return [_staff_row(lookups, names, organizations, i, now) for i in issues]


def issue_detail(actor: Actor, issue_id: object) -> IssueDetail:
    with session_scope() as session:
        issue = access.access_issue(session, actor, issue_id)
        return _detail(session, actor, issue)


# --- replies and notes ---------------------------------------------------------------------------


def _entry_row(session: Session, actor: Actor, entry: IssueEntry) -> EntryRow:
    return EntryRow(
        id=entry.id or 0,
        kind=entry.kind,
        author=actor.display_name,
        body_html=entry.body_html,
        change="",
        created=_when(entry.created_at),
        by_staff=actor.is_staff,
    )


def reply(
    actor: Actor, issue_id: object, body_html: object, ask_client: object = False
) -> EntryRow:
    """A public reply. Staff may ask the client (the issue then waits on them); a
    client's reply puts it back with staff. Participants are mailed the reply."""
    if not isinstance(ask_client, bool):
        raise Invalid("Say whether the reply asks the client.", "ask_client")
    with session_scope() as session:
        issue = access.access_issue(session, actor, issue_id)
        staff = access.can_work_issues(actor)
        if not staff and not actor.is_client:
            raise Forbidden("You can follow this issue but not reply to it.")
        status = session.get(IssueStatus, issue.status_id)
        if not staff and status is not None and status.is_closed:
            raise Invalid("This issue is closed. Reopen it to reply.", "body")
        body = _rich_text(body_html, "body", required=True, what="A reply")
        now = utcnow()
        entry = IssueEntry(
            issue_id=issue.id or 0,
            kind=REPLY,
            public=True,
            author_id=actor.user_id,
            body_html=body,
            created_at=now,
        )
        session.add(entry)
        if staff:
            issue.waiting_on = WAITING_CLIENT if ask_client else ""
            if issue.first_response_at is None:
                issue.first_response_at = now
        else:
            issue.waiting_on = WAITING_STAFF
        issue.updated_at = now
        session.add(issue)
        session.flush()
        text = _plain(body)
        subject = f"[{_number(issue)}] {issue.title}"
        question = " asks you" if ask_client and staff else " replied"
        _mail_participants(
            session,
            actor,
            issue,
            subject,
            lambda user: (
                f"{actor.display_name}{question if not access.works_for_firm(user) else ' replied'}"
                f":\n\n{text}\n\nOpen the issue: {_link(issue)}\n"
            ),
        )
        return _entry_row(session, actor, entry)


def add_internal_note(actor: Actor, issue_id: object, body_html: object) -> EntryRow:
    """A note only staff read: never shown to, counted for or mailed to a client."""
    access.require(access.can_work_issues(actor))
    with session_scope() as session:
        issue = access.access_issue(session, actor, issue_id)
        body = _rich_text(body_html, "body", required=True, what="A note")
        entry = IssueEntry(
            issue_id=issue.id or 0, kind=NOTE, public=False, author_id=actor.user_id, body_html=body
        )
        session.add(entry)
        session.flush()
        # The issue's "updated" time, which clients see, stays as it was.
        return _entry_row(session, actor, entry)


# --- changes -------------------------------------------------------------------------------------


def _event(session: Session, actor: Actor, issue: Issue, public: bool, **change: Any) -> None:
    session.add(
        IssueEntry(
            issue_id=issue.id or 0,
            kind=EVENT,
            public=public,
            author_id=actor.user_id,
            change=json.dumps(change, default=str)[:2000],
        )
    )


def _change_status(session: Session, actor: Actor, issue: Issue, status: IssueStatus) -> bool:
    before = session.get(IssueStatus, issue.status_id)
    if before is None or before.id == status.id:
        return False
    now = utcnow()
    issue.status_id = status.id or 0
    issue.updated_at = now
    if status.is_resolved or status.is_closed:
        issue.resolved_at = issue.resolved_at or now
        issue.waiting_on = ""
    else:
        issue.resolved_at = None
    if status.is_closed:
        issue.closed_at = issue.closed_at or now
    else:
        issue.closed_at = None
    if not (status.is_resolved or status.is_closed) and (before.is_resolved or before.is_closed):
        issue.waiting_on = WAITING_STAFF
    old_client, new_client = client_status_label(before), client_status_label(status)
    public = old_client != new_client
    _event(
        session,
        actor,
        issue,
        public,
        what="status",
        **{"from": before.label, "to": status.label},
        client_from=old_client if public else "",
        client_to=new_client if public else "",
    )
    session.add(issue)
    audit.record(
        session,
        "issue_status_changed",
        actor_id=actor.user_id,
        target_type="issue",
        target_id=issue.id,
        status=status.key,
    )
    subject = f"[{_number(issue)}] {issue.title}: {new_client if public else status.label}"

    def body_for(user: User) -> str | None:
        if access.works_for_firm(user):
            return (
                f"{actor.display_name} changed the status: {before.label} → {status.label}."
                f"\n\nOpen the issue: {_link(issue)}\n"
            )
        if not public:
            return None
        return (
            f"The status is now {new_client} (was {old_client}).\n\n"
            f"Open the issue: {_link(issue)}\n"
        )

    _mail_participants(session, actor, issue, subject, body_for)
    return True


def _staff_ids(raw: object) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise Invalid("Choose at least one issue.", "issues")
    if len(raw) > MAX_BULK:
        raise Invalid(f"Choose at most {MAX_BULK} issues at once.", "issues")
    ids = []
    for value in raw:
        try:
            ids.append(parse_id(value))
        except NotFound as exc:
            raise NotFound(access.ISSUE_NOT_FOUND) from exc
    return list(dict.fromkeys(ids))


def set_status(actor: Actor, issue_id: object, status: object) -> IssueDetail:
    access.require(access.can_work_issues(actor))
    with session_scope() as session:
        issue = access.access_issue(session, actor, issue_id)
        _change_status(session, actor, issue, _status_by_key(session, status))
        return _detail(session, actor, issue)


def bulk_set_status(actor: Actor, issue_ids: object, status: object) -> int:
    """The same status for many issues; all or none (any issue not found refuses all)."""
    access.require(access.can_work_issues(actor))
    ids = _staff_ids(issue_ids)
    with session_scope() as session:
        target = _status_by_key(session, status)
        issues = [access.access_issue(session, actor, i) for i in ids]
        return sum(_change_status(session, actor, issue, target) for issue in issues)


def _assignee(session: Session, raw: object) -> User | None:
    if raw in (None, "", 0):
        return None
    try:
        number = parse_id(raw)
    except NotFound as exc:
        raise Invalid("Choose a staff member.", "assignee") from exc
    user = session.get(User, number)
    if user is None or not user.active or not access.works_for_firm(user):
        raise Invalid("Choose a staff member.", "assignee")
    return user


def _change_assignee(session: Session, actor: Actor, issue: Issue, user: User | None) -> bool:
    new_id = user.id if user else None
    if issue.assignee_id == new_id:
        return False
    before = session.get(User, issue.assignee_id) if issue.assignee_id else None
    issue.assignee_id = new_id
    session.add(issue)
    # Who works an issue is staff business: the event is not public.
    _event(
        session,
        actor,
        issue,
        False,
        what="assignee",
        **{"from": before.display_name if before else "", "to": user.display_name if user else ""},
    )
    audit.record(
        session,
        "issue_assigned",
        actor_id=actor.user_id,
        target_type="issue",
        target_id=issue.id,
        assignee=new_id,
    )
    if user is not None and user.id != actor.user_id:
        mail.queue(
            user.email,
            f"[{_number(issue)}] {issue.title}: assigned to you",
            f"{actor.display_name} assigned this issue to you.\n\nOpen it: {_link(issue)}\n",
            session=session,
        )
    return True


def assign(actor: Actor, issue_id: object, assignee_id: object) -> IssueDetail:
    """Assign to a staff member (or nobody: ``None``)."""
    access.require(access.can_work_issues(actor))
    with session_scope() as session:
        issue = access.access_issue(session, actor, issue_id)
        _change_assignee(session, actor, issue, _assignee(session, assignee_id))
        return _detail(session, actor, issue)


def bulk_assign(actor: Actor, issue_ids: object, assignee_id: object) -> int:
    access.require(access.can_work_issues(actor))
    ids = _staff_ids(issue_ids)
    with session_scope() as session:
        user = _assignee(session, assignee_id)
        issues = [access.access_issue(session, actor, i) for i in ids]
        return sum(_change_assignee(session, actor, issue, user) for issue in issues)


def set_fields(actor: Actor, issue_id: object, values: object) -> IssueDetail:
    """Staff change custom field values (only those named); an internal field's
    change is an internal event."""
    access.require(access.can_work_issues(actor))
    with session_scope() as session:
        issue = access.access_issue(session, actor, issue_id)
        public, internal = _check_fields(session, actor, values, partial=True)
        for column, changes, is_public in (
            ("public_fields", public, True),
            ("internal_fields", internal, False),
        ):
            stored = _json(getattr(issue, column))
            changed = {k: v for k, v in changes.items() if stored.get(k, "") != v}
            if not changed:
                continue
            stored.update(changed)
            setattr(issue, column, json.dumps(stored))
            _event(session, actor, issue, is_public, what="fields", to=", ".join(changed.values()))
        if public:
            issue.updated_at = utcnow()
        session.add(issue)
        return _detail(session, actor, issue)


def _own_issue(session: Session, actor: Actor, issue_id: object) -> Issue:
    issue = access.access_issue(session, actor, issue_id)
    if not actor.is_client or issue.reporter_id != actor.user_id:
        raise Forbidden("Only the person who reported this issue can do that.")
    return issue


def close_own(actor: Actor, issue_id: object) -> IssueDetail:
    """A client closes an issue they reported (closing it again changes nothing)."""
    with session_scope() as session:
        issue = _own_issue(session, actor, issue_id)
        closed = [s for s in _statuses(session) if s.is_closed]
        if not closed:
            raise Invalid("No closed status is set up. Ask the firm to close it.")
        current = session.get(IssueStatus, issue.status_id)
        if current is None or not current.is_closed:
            _change_status(session, actor, issue, closed[0])
        return _detail(session, actor, issue)


def reopen(actor: Actor, issue_id: object) -> IssueDetail:
    """A client reopens their resolved or closed issue within the organization's
    window (``reopen_days``, default 14); an open issue stays as it is."""
    with session_scope() as session:
        issue = _own_issue(session, actor, issue_id)
        current = session.get(IssueStatus, issue.status_id)
        if current is not None and (current.is_closed or current.is_resolved):
            deadline = _reopen_deadline(session, issue)
            if deadline is not None and utcnow() > deadline:
                days = _settings(session, issue.organization_id).reopen_days
                raise Invalid(
                    f"This issue was closed more than {days} days ago and can't be reopened. "
                    "Report a new issue instead."
                )
            candidates = [s for s in _statuses(session) if not (s.is_closed or s.is_resolved)]
            target = next((s for s in candidates if s.key == "open"), None) or (
                candidates[0] if candidates else None
            )
            if target is None:
                raise Invalid("No open status is set up. Ask the firm to reopen it.")
            _change_status(session, actor, issue, target)
        return _detail(session, actor, issue)


# --- saved views ------------------------------------------------------------------------------


def _view_name(raw: object) -> str:
    name = clean_line(raw) if isinstance(raw, str) else ""
    if not name:
        raise Invalid("Name the view.", "name")
    if len(name) > 80:
        raise Invalid("Use at most 80 characters for the name.", "name")
    return name


def list_saved_views(actor: Actor) -> list[SavedViewRow]:
    access.require(access.can_work_issues(actor))
    with session_scope() as session:
        return [
            SavedViewRow(v.id or 0, v.name, _json(v.filters))
            for v in session.exec(
                select(IssueSavedView)
                .where(IssueSavedView.owner_id == actor.user_id)
                .order_by(func.lower(IssueSavedView.name))
            )
        ]


def _own_view(session: Session, actor: Actor, view_id: object) -> IssueSavedView:
    try:
        number = parse_id(view_id)
    except NotFound as exc:
        raise NotFound(VIEW_NOT_FOUND) from exc
    view = session.get(IssueSavedView, number)
    if view is None or view.owner_id != actor.user_id:
        raise NotFound(VIEW_NOT_FOUND)
    return view


def _view_values(name: object, filters: object) -> tuple[str, dict[str, Any], str]:
    clean = _view_name(name)
    chosen = _filters(filters)
    encoded = json.dumps(chosen)
    if len(encoded) > 4000:
        raise Invalid("These filters are too long to save.", "filters")
    return clean, chosen, encoded


def save_view(actor: Actor, name: object, filters: object) -> SavedViewRow:
    """A new saved view (a named filter set) of a staff member's own."""
    access.require(access.can_work_issues(actor))
    clean, chosen, encoded = _view_values(name, filters)
    with session_scope() as session:
        view = IssueSavedView(owner_id=actor.user_id, name=clean, filters=encoded)
        session.add(view)
        session.flush()
        return SavedViewRow(view.id or 0, view.name, chosen)


def update_view(actor: Actor, view_id: object, name: object, filters: object) -> SavedViewRow:
    """Rename or change one of the actor's own saved views."""
    access.require(access.can_work_issues(actor))
    clean, chosen, encoded = _view_values(name, filters)
    with session_scope() as session:
        view = _own_view(session, actor, view_id)
        view.name, view.filters = clean, encoded
        session.add(view)
        return SavedViewRow(view.id or 0, view.name, chosen)


def delete_saved_view(actor: Actor, view_id: object) -> None:
    access.require(access.can_work_issues(actor))
    with session_scope() as session:
        session.delete(_own_view(session, actor, view_id))


# --- configuration (administrators) -----------------------------------------------------------


def _bool(values: dict, key: str, default: bool = False) -> bool:
    value = values.get(key, default)
    if not isinstance(value, bool):
        raise Invalid(f"“{key}” is yes or no.", key)
    return value


def _label(values: dict, key: str, limit: int, message: str, *, required: bool = True) -> str:
    raw = values.get(key, "")
    text = clean_line(raw) if isinstance(raw, str) else None
    if text is None or (required and not text):
        raise Invalid(message, key)
    if len(text) > limit:
        raise Invalid(f"Use at most {limit} characters.", key)
    return text


def _hours(values: dict, key: str) -> int | None:
    value = values.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
        raise Invalid("Enter a number of business hours (0 to 10,000), or leave it empty.", key)
    return value


def _position(values: dict, default: int) -> int:
    value = values.get("position", default)
    if isinstance(value, bool) or not isinstance(value, int) or not -10_000 <= value <= 10_000:
        raise Invalid("The position must be a whole number.", "position")
    return value


def _option_model(kind: object) -> type:
    models = {
        "status": IssueStatus,
        "category": IssueCategory,
        "priority": IssuePriority,
        "field": IssueField,
    }
    if not isinstance(kind, str) or kind not in models:
        raise Invalid("Choose statuses, categories, priorities or fields.", "kind")
    return models[kind]  # type: ignore[index]


def save_option(actor: Actor, kind: object, values: object, option_id: object = None) -> int:
    """Add or change a status, category, priority or custom field (``kind``); the id."""
    access.require(access.can_configure_issues(actor))
    model = _option_model(kind)
    if not isinstance(values, dict):
        raise Invalid("The settings could not be read.")
    with session_scope() as session:
        if option_id in (None, "", 0):
            row = model()
            count = session.exec(select(func.count()).select_from(model)).one()
        else:
            try:
                row = session.get(model, parse_id(option_id))
            except NotFound as exc:
                raise NotFound(OPTION_NOT_FOUND) from exc
            if row is None:
                raise NotFound(OPTION_NOT_FOUND)
            count = row.position
        if kind in ("status", "priority"):
            key = values.get("key", getattr(row, "key", None))
            if not isinstance(key, str) or not _KEY.match(key):
                raise Invalid(
                    "Use a key of lower-case letters, digits, - and _ (at most 32).", "key"
                )
            other = session.exec(select(model).where(model.key == key)).first()
            if other is not None and other.id != row.id:
                raise Invalid(f"Another {kind} has the key “{key}”.", "key")
            row.key = key
            row.label = _label(values, "label", 60, "Enter a label.")
        if kind == "status":
            row.client_visible = _bool(values, "client_visible", True)
            row.client_label = _label(values, "client_label", 60, "", required=False)
            if not row.client_visible and not row.client_label:
                raise Invalid(
                    "Say what clients see while an issue has this status.", "client_label"
                )
            row.is_resolved = _bool(values, "is_resolved")
            row.is_closed = _bool(values, "is_closed")
        elif kind == "priority":
            row.first_response_hours = _hours(values, "first_response_hours")
            row.resolution_hours = _hours(values, "resolution_hours")
        elif kind == "category":
            row.name = _label(values, "name", 80, "Enter a name.")
            other = session.exec(
                select(IssueCategory).where(func.lower(IssueCategory.name) == row.name.lower())
            ).first()
            if other is not None and other.id != row.id:
                raise Invalid(f"There is already a category named “{row.name}”.", "name")
        elif kind == "field":
            row.label = _label(values, "label", 80, "Enter a label.")
            field_type = values.get("field_type", "text")
            if field_type not in FIELD_TYPES:
                raise Invalid("Choose text, choice, number or date.", "field_type")
            options = values.get("options", [])
            if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
                raise Invalid("List the choices as text.", "options")
            options = [clean_line(o)[:120] for o in options if clean_line(o)][:100]
            if field_type == "choice" and not options:
                raise Invalid("Add at least one choice.", "options")
            row.field_type = field_type
            row.options = json.dumps(options if field_type == "choice" else [])
            row.required = _bool(values, "required")
            row.internal = _bool(values, "internal")
            if row.internal and row.required:
                raise Invalid(
                    "An internal field can't be required: clients never see it.", "required"
                )
        row.position = _position(values, count)
        session.add(row)
        session.flush()
        audit.record(
            session,
            "issue_option_saved",
            actor_id=actor.user_id,
            target_type=str(kind),
            target_id=row.id,
        )
        return row.id


def delete_option(actor: Actor, kind: object, option_id: object) -> None:
    """Remove a status, category or priority no issue uses, or a custom field (its
    values stay stored, unseen)."""
    access.require(access.can_configure_issues(actor))
    model = _option_model(kind)
    with session_scope() as session:
        try:
            row = session.get(model, parse_id(option_id))
        except NotFound as exc:
            raise NotFound(OPTION_NOT_FOUND) from exc
        if row is None:
            raise NotFound(OPTION_NOT_FOUND)
        column = {
            "status": Issue.status_id,
            "category": Issue.category_id,
            "priority": Issue.priority_id,
        }.get(str(kind))
        if column is not None and session.exec(select(Issue.id).where(column == row.id)).first():
            raise Invalid(f"Some issues use this {kind}: change them first.")
        if kind == "status":
            left = [s for s in _statuses(session) if s.id != row.id]
            if not any(not (s.is_closed or s.is_resolved) for s in left) or not any(
                s.is_closed for s in left
            ):
                raise Invalid("Keep at least one open and one closed status.")
        session.delete(row)
        audit.record(
            session,
            "issue_option_deleted",
            actor_id=actor.user_id,
            target_type=str(kind),
            target_id=row.id,
        )


def issue_settings(actor: Actor, organization_id: object = None) -> OrganizationIssueSettings:
    """An organization's issue settings: staff any organization's; a client their own
    (whether to offer the "my organization" toggle)."""
    if not (access.can_work_issues(actor) or actor.is_client):
        raise Forbidden()
    with session_scope() as session:
        organization = _organization(session, actor, organization_id)
        found = _settings(session, organization.id or 0)
        return OrganizationIssueSettings(
            organization.id or 0, found.clients_see_all, found.reopen_days
        )


def set_issue_settings(
    actor: Actor,
    organization_id: object,
    clients_see_all: object,
    reopen_days: object = DEFAULT_REOPEN_DAYS,
) -> OrganizationIssueSettings:
    access.require(access.can_configure_issues(actor))
    if not isinstance(clients_see_all, bool):
        raise Invalid(
            "Say whether clients see all of their organization's issues.", "clients_see_all"
        )
    if (
        isinstance(reopen_days, bool)
        or not isinstance(reopen_days, int)
        or not 0 <= reopen_days <= MAX_REOPEN_DAYS
    ):
        raise Invalid(f"Enter a number of days from 0 to {MAX_REOPEN_DAYS}.", "reopen_days")
    with session_scope() as session:
        organization = _organization(session, actor, organization_id)
        found = session.get(IssueSettings, organization.id) or IssueSettings(
            organization_id=organization.id or 0
        )
        found.clients_see_all, found.reopen_days = clients_see_all, reopen_days
        session.add(found)
        audit.record(
            session,
            "issue_settings_changed",
            actor_id=actor.user_id,
            target_type="organization",
            target_id=organization.id,
            clients_see_all=clients_see_all,
            reopen_days=reopen_days,
        )
        return OrganizationIssueSettings(organization.id or 0, clients_see_all, reopen_days)


# --- dashboard ----------------------------------------------------------------------------------


def dashboard(actor: Actor) -> list[DashboardRow]:
    """Open issues per client organization: counts, waiting on whom, overdue, ages."""
    access.require(access.can_work_issues(actor))
    with session_scope() as session:
        lookups = _Lookups(session)
        done = [s.id for s in lookups.statuses.values() if s.is_closed or s.is_resolved]
        issues = list(
            session.exec(
                select(Issue).where(
                    access.visible_issues_filter(actor), col(Issue.status_id).not_in(done)
                )
            )
        )
        names = {
            o.id or 0: o.name
            for o in session.exec(
                select(Organization).where(
                    col(Organization.id).in_({i.organization_id for i in issues})
                )
            )
        }
        now = utcnow()
        by_org: dict[int, list[Issue]] = {}
        for issue in issues:
            by_org.setdefault(issue.organization_id, []).append(issue)
        rows = []
        for organization_id, group in by_org.items():
            ages = [max(0.0, (now - i.created_at).total_seconds() / 86400) for i in group]
            overdue = sum(
                _targets(i, lookups.priority(i), lookups.status(i), now)[2] for i in group
            )
            rows.append(
                DashboardRow(
                    organization_id=organization_id,
                    organization=names.get(organization_id, ""),
                    open=len(group),
                    waiting_on_us=sum(i.waiting_on == WAITING_STAFF for i in group),
                    waiting_on_client=sum(i.waiting_on == WAITING_CLIENT for i in group),
                    overdue=overdue,
                    oldest_days=int(max(ages)),
                    average_days=round(sum(ages) / len(ages), 1),
                )
            )
        return sorted(rows, key=lambda r: (-r.open, r.organization.casefold()))


# --- attachments (the transfer protocol asks these, through services/uploads.py) ------------


def _attachment_issue(session: Session, actor: Actor, destination: object) -> Issue:
    """Whoever may reply attaches: staff, and clients who see the issue while it is
    open (a guest only follows)."""
    if not isinstance(destination, dict) or destination.get("kind") != ISSUE_OWNER:
        raise Invalid("Choose where the file goes.")
    issue = access.access_issue(session, actor, destination.get("issue"))
    if access.can_work_issues(actor):
        return issue
    if not actor.is_client:
        raise Forbidden("You can follow this issue but not add files to it.")
    status = session.get(IssueStatus, issue.status_id)
    if status is not None and status.is_closed:
        raise Invalid("This issue is closed. Reopen it to add files.")
    return issue


def plan_attachment(actor: Actor, destination: object, name: str, size: object) -> int:
    """Before the first byte: may ``actor`` attach a file to this issue? The largest
    size it takes."""
    with session_scope() as session:
        _attachment_issue(session, actor, destination)
    return get_settings().max_upload_bytes


def accept_attachment(
    actor: Actor,
    destination: object,
    name: str,
    blob: SavedBlob,
    content_type: str,
    *,
    scan_status: str = "unscanned",
    scan_detail: str = "",
) -> dict[str, Any]:
    """Once the bytes are stored: the issue's new attachment (access checked again; on
    any refusal the blob is deleted)."""
    try:
        if not isinstance(blob, SavedBlob) or not get_storage().exists(blob.key):
            raise Invalid("Upload the file again.")
        if blob.size > get_settings().max_upload_bytes:
            raise Invalid("This file is too large.")
        clean = clean_filename(name)
        with session_scope() as session:
            issue = _attachment_issue(session, actor, destination)
            file = StoredFile(
                owner_type=ISSUE_OWNER,
                owner_id=str(issue.id),
                uploader_id=actor.user_id,
                filename=clean,
                storage_key=blob.key,
                size=blob.size,
                content_type=content_type if isinstance(content_type, str) else "",
                sha256=blob.sha256,
                scan_status=scan_status,
                scan_detail=scan_detail[:200],
            )
            session.add(file)
            issue.updated_at = utcnow()
            session.add(issue)
            session.flush()
            audit.record(
                session,
                "issue_file_added",
                actor_id=actor.user_id,
                target_type="issue",
                target_id=issue.id,
                file_id=file.id,
                name=clean,
            )
            quarantined = scan_status == QUARANTINED
            return {
                "file": {
                    "id": file.id,
                    "name": clean,
                    "size": size_text(blob.size),
                    "type_label": type_label(file.content_type),
                    "quarantined": quarantined,
                    "url": "" if quarantined else f"/files/{file.id}",
                }
            }
    except PortalError:
        if isinstance(blob, SavedBlob):
            get_storage().delete(blob.key)
        raise
