"""Sharing with people outside: guest invitations to one page, web links anyone may
open, secured links that open only after signing in, and the one list of every share.

Rules enforced here:
- only staff share, and only items they may see; staff manage the shares of items on
  pages they may see, admins every share (``access.visible_shares_filter``);
- a link's token carries 256 random bits; only its SHA-256 is stored; regenerating
  a link makes the old one fail like any unknown link;
- the portal's policy (default expiry, maximum expiry, password required for web
  links) is applied at creation and at every change: a share that fails it is refused,
  never created without the protection; an expiry in the past is refused;
- share passwords are bcrypt-hashed like account passwords;
- opening a link is throttled per token and per client address (``throttle``);
  an expired link says so and names who to ask, a deactivated or removed one is "no
  longer available";
- a guest or web link to a page signs the browser in as that share's guest, whose
  only page is the shared one (``Actor.scope``); a guest session ends with its share;
- files reached through a share download through short-lived signed URLs bound to
  that share, counted against its download limit with one atomic update;
- every use is recorded in the share's access log.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses

from sqlalchemy import and_, delete, exists, or_, update
from sqlmodel import Session, col, func, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Invalid, NotFound, PortalError
from portal_app.ids import parse_id
from portal_app.models import (
    Document,
    Organization,
    Page,
    PageGrant,
    Share,
    ShareAccess,
    ShareSession,
    SharingPolicy,
    StoredFile,
    User,
)
from portal_app.models.files import QUARANTINED, WIDGET_OWNER, parse_widget_owner
from portal_app.models.sharing import (
    ACTIVE,
    DEACTIVATED,
    DOCUMENT_ITEM,
    DROPSITE_ITEM,
    FILE_ITEM,
    GUEST,
    KINDS,
    PAGE_ITEM,
    REMOVED,
    SECURED,
    WEB,
)
from portal_app.services import audit, files, live, mail, passwords, throttle
from portal_app.services.links import portal_url
from portal_app.services.text import clean_line
from portal_app.services.tokens import new_token, token_hash
from portal_app.storage import Storage, get_storage

GUEST_COOKIE_PREFIX = "g."
# Where a guest whose share ended (deactivated, expired, a new link) is sent.
GUEST_ENDED_PATH = "/s/ended"
# Where a dropsite link's guest (or a client who opened a secured one) sends files.
DROPSITE_PATH = "/dropsite"
GUEST_SESSION_DAYS = 30
SIGNED_URL_SECONDS = 300
MAX_GUESTS_PER_INVITE = 50
MIN_SHARE_PASSWORD = 8
MAX_DOWNLOAD_LIMIT = 100_000
UNAVAILABLE = "This link is no longer available."
WRONG_PASSWORD = "That password isn't right."  # noqa: S105 (a message, not a secret)
KIND_LABELS = {GUEST: "Guest", WEB: "Web link", SECURED: "Secured link"}
STATUS_ACTIONS = {
    ACTIVE: "share_reactivated",
    DEACTIVATED: "share_deactivated",
    REMOVED: "share_removed",
}
STATUS_LABELS = {ACTIVE: "Active", DEACTIVATED: "Deactivated", "expired": "Expired"}


class LinkUnavailable(PortalError):
    status = 404

    def __init__(self, message: str = UNAVAILABLE):
        super().__init__(message)


class LinkExpired(PortalError):
    status = 410


class SignedInAsSomeoneElse(PortalError):
    status = 409


class WrongPassword(PortalError):
    status = 401

    def __init__(self, message: str = WRONG_PASSWORD):
        super().__init__(message)


# --- the policy ----------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyView:
    default_expiry_days: int
    max_expiry_days: int
    web_password_required: bool


def _policy_row(session: Session) -> SharingPolicy:
    row = session.get(SharingPolicy, 1)
    if row is None:
        # The migration makes this row; a database made another way gets it here.
        row = SharingPolicy(id=1, signing_key=secrets.token_urlsafe(32))
        session.add(row)
        session.flush()
    return row


def _signing_key(session: Session) -> bytes:
    """The key signed download URLs are made with: one per portal, in the database so
    every worker shares it."""
    return _policy_row(session).signing_key.encode()


def get_policy(actor: Actor) -> PolicyView:
    access.require(access.can_share(actor))
    with session_scope() as session:
        row = _policy_row(session)
        return PolicyView(row.default_expiry_days, row.max_expiry_days, row.web_password_required)


def set_policy(
    actor: Actor,
    default_expiry_days: object,
    max_expiry_days: object,
    web_password_required: object,
) -> PolicyView:
    access.require(access.can_set_sharing_policy(actor))
    default = _days(default_expiry_days, "default_expiry_days")
    maximum = _days(max_expiry_days, "max_expiry_days")
    if maximum and (not default or default > maximum):
        raise Invalid(
            "The default expiry must be set and no longer than the maximum.",
            "default_expiry_days",
        )
    with session_scope() as session:
        row = _policy_row(session)
        row.default_expiry_days = default
        row.max_expiry_days = maximum
        row.web_password_required = web_password_required is True
        row.updated_at = utcnow()
        session.add(row)
        audit.record(
            session,
            "sharing_policy_changed",
            actor_id=actor.user_id,
            default_expiry_days=default,
            max_expiry_days=maximum,
            web_password_required=row.web_password_required,
        )
        return PolicyView(default, maximum, row.web_password_required)


def _days(value: object, field: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
        raise Invalid("Enter a number of days from 0 (none) to 3650.", field)
    return value


def parse_expiry(value: object) -> datetime | None:
    """An expiry as typed in a date-time field (``2027-01-31T17:00``, UTC), or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid("Enter the expiry as a date and time.", "expires_at")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid("Enter the expiry as a date and time.", "expires_at") from exc
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _apply_policy(
    policy: SharingPolicy, kind: str, expires_at: datetime | None, password: str, now: datetime
) -> datetime | None:
    """The expiry a new or changed share gets, or ``Invalid`` when the share would break
    the portal's policy (never a share without the protection the policy asks for)."""
    if expires_at is None and policy.default_expiry_days:
        expires_at = now + timedelta(days=policy.default_expiry_days)
    if expires_at is None and policy.max_expiry_days:
        expires_at = now + timedelta(days=policy.max_expiry_days)
    if expires_at is not None and expires_at <= now:
        raise Invalid("The expiry must be in the future.", "expires_at")
    if (
        expires_at is not None
        and policy.max_expiry_days
        and expires_at > now + timedelta(days=policy.max_expiry_days, minutes=1)
    ):
        raise Invalid(
            f"Links on this portal expire within {policy.max_expiry_days} days.", "expires_at"
        )
    if kind == WEB and policy.web_password_required and not password:
        raise Invalid("Web links on this portal need a password.", "password")
    return expires_at


def _check_password(kind: str, password: object) -> str:
    if password is None or password == "":
        return ""
    if not isinstance(password, str):
        raise Invalid("Enter the password as text.", "password")
    if kind == SECURED:
        raise Invalid(
            "A secured link asks people to sign in; it has no password of its own.", "password"
        )
    if not MIN_SHARE_PASSWORD <= len(password) <= 256:
        raise Invalid(f"A link password needs {MIN_SHARE_PASSWORD} to 256 characters.", "password")
    if password.lower() in passwords.common_passwords():
        raise Invalid("That password is too common: choose another.", "password")
    return password


# --- creating shares -------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedLink:
    share_id: int
    url: str  # shown once, to the person who made it


def _item(
    session: Session, actor: Actor, item_type: object, item_id: object
) -> tuple[int, int | None, int | None, str]:
    """(item id, page id, organization id, name) of an item ``actor`` may share: a page
    or a file on one, or a library document or a dropsite of an organization."""
    if item_type == PAGE_ITEM:
        page = access.access_page(session, actor, item_id)
        assert page.id is not None
        return page.id, page.id, None, page.title
    if item_type == FILE_ITEM:
        file = files.readable_file(actor, item_id)
        assert file.id is not None
        if file.owner_type != WIDGET_OWNER:
            raise NotFound("This file doesn't exist or isn't shared with you.")
        page_id, _ = parse_widget_owner(file.owner_id)
        return file.id, page_id, None, file.filename
    if item_type == DOCUMENT_ITEM:
        document = access.access_document(session, actor, item_id)
        assert document.id is not None
        return document.id, None, document.organization_id, document.name
    if item_type == DROPSITE_ITEM:
        organization = session.get(Organization, parse_id(item_id))
        if organization is None or organization.archived:
            raise NotFound("This client doesn't exist.")
        assert organization.id is not None
        return organization.id, None, organization.id, f"Dropsite of {organization.name}"
    raise Invalid("Choose a page or a document to share.")


def _dropsite_sender(session: Session) -> User:
    """The account a dropsite link's uploads are signed with (what people type as their
    name and address is kept on each sending, never trusted as an account)."""
    user = User(
        email=f"dropsite-link-{secrets.token_hex(8)}@guests.invalid",
        display_name="Dropsite link",
        role=access.GUEST,
        active=True,
        password_hash=None,
    )
    session.add(user)
    session.flush()
    return user


def create_link(
    actor: Actor,
    kind: object,
    item_type: object,
    item_id: object,
    *,
    password: object = "",
    expires_at: object = None,
    download_limit: object = None,
    notify_first_open: object = False,
) -> CreatedLink:
    """A web or secured link to a page or a document."""
    access.require(access.can_share(actor))
    if kind not in (WEB, SECURED):
        raise Invalid("Choose a web link or a secured link.", "kind")
    assert isinstance(kind, str)
    secret = _check_password(kind, password)
    wanted_expiry = parse_expiry(expires_at)
    limit = _download_limit(download_limit, item_type)
    token = new_token()
    now = utcnow()
    with session_scope() as session:
        the_id, page_id, organization_id, name = _item(session, actor, item_type, item_id)
        expiry = _apply_policy(_policy_row(session), kind, wanted_expiry, secret, now)
        sender = _dropsite_sender(session) if item_type == DROPSITE_ITEM else None
        share = Share(
            kind=kind,
            item_type=str(item_type),
            item_id=the_id,
            page_id=page_id,
            organization_id=organization_id,
            guest_user_id=sender.id if sender is not None else None,
            token_hash=token_hash(token),
            created_by=actor.user_id,
            created_at=now,
            expires_at=expiry,
            password_hash=passwords.hash_password(secret) if secret else None,
            download_limit=limit,
            notify_first_open=notify_first_open is True,
        )
        session.add(share)
        session.flush()
        assert share.id is not None
        audit.record(
            session,
            "share_created",
            actor_id=actor.user_id,
            target_type="share",
            target_id=share.id,
            kind=kind,
            item_type=item_type,
            item_id=the_id,
            name=name,
        )
        return CreatedLink(share.id, link_url(token))


def _download_limit(value: object, item_type: object) -> int | None:
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if item_type not in (FILE_ITEM, DOCUMENT_ITEM):
        raise Invalid("Only links to documents have a download limit.", "download_limit")
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 1 <= value <= MAX_DOWNLOAD_LIMIT
    ):
        raise Invalid(f"Enter a download limit from 1 to {MAX_DOWNLOAD_LIMIT:,}.", "download_limit")
    return value


def link_url(token: str) -> str:
    return portal_url(f"/s/{token}")


def parse_guest_addresses(text: object) -> list[tuple[str, str]]:
    """``[(name, address)]`` from what was typed: addresses separated by commas, spaces
    or lines, each optionally ``Name <address>``."""
    from portal_app.services.auth import normalize_email

    if not isinstance(text, str) or not text.strip():
        raise Invalid("Enter at least one e-mail address.", "guests")
    if len(text) > 20_000:
        raise Invalid("That's too long: invite at most 50 people at once.", "guests")
    found: dict[str, str] = {}
    for name, address in getaddresses([text.replace("\n", ",").replace(";", ",")]):
        if not address:
            continue
        try:
            email = normalize_email(address)
        except Invalid as exc:
            raise Invalid(f"“{address[:80]}” isn't an e-mail address.", "guests") from exc
        found.setdefault(email, clean_line(name)[:120])
    if not found:
        raise Invalid("Enter at least one e-mail address.", "guests")
    if len(found) > MAX_GUESTS_PER_INVITE:
        raise Invalid(f"Invite at most {MAX_GUESTS_PER_INVITE} people at once.", "guests")
    return [(name, email) for email, name in found.items()]


def _guest_account(session: Session, name: str, email: str) -> User:
    user = session.exec(select(User).where(User.email == email)).first()
    if user is not None and not access.is_guest_account(user):
        raise Invalid(
            f"{email} already has an account here: give them access under "
            "“People and organizations” instead.",
            "guests",
        )
    if user is None:
        user = User(
            email=email,
            display_name=name or email.split("@", 1)[0],
            role=access.GUEST,
            active=True,
            password_hash=None,
        )
        session.add(user)
        session.flush()
    elif name and user.display_name != name:
        user.display_name = name
        session.add(user)
    return user


def invite_guests(
    actor: Actor,
    page_id: object,
    guests: object,
    *,
    message: object = "",
    contribute: object = False,
    password: object = "",
    expires_at: object = None,
) -> int:
    """Share one published page with people outside: each address gets its own share
    and an e-mail with a personal link. Returns how many were invited."""
    access.require(access.can_share(actor))
    people = parse_guest_addresses(guests)
    note = message.strip()[:2000] if isinstance(message, str) else ""
    secret = _check_password(GUEST, password)
    wanted_expiry = parse_expiry(expires_at)
    password_hash = passwords.hash_password(secret) if secret else None
    now = utcnow()
    settings = get_settings()
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
        assert page.id is not None
        if page.published_version is None:
            raise Invalid("Publish the page before sharing it with guests.", "guests")
        expiry = _apply_policy(_policy_row(session), GUEST, wanted_expiry, secret, now)
        outgoing = []
        for name, email in people:
            guest = _guest_account(session, name, email)
            token = new_token()
            # Inviting someone again renews their one share of this page: a new link
            # (the old one stops working) with the settings chosen now.
            share = session.exec(
                select(Share).where(
                    Share.kind == GUEST,
                    Share.page_id == page.id,
                    Share.guest_user_id == guest.id,
                    Share.status != REMOVED,
                )
            ).first()
            renewed = share is not None
            if share is None:
                share = Share(
                    kind=GUEST,
                    item_type=PAGE_ITEM,
                    item_id=page.id,
                    page_id=page.id,
                    token_hash="",
                    created_by=actor.user_id,
                    created_at=now,
                    guest_user_id=guest.id,
                    guest_email=email,
                )
            share.token_hash = token_hash(token)
            share.expires_at = expiry
            share.password_hash = password_hash
            share.contribute = contribute is True
            share.message = note
            share.status = ACTIVE
            share.notify_first_open = True
            share.first_opened_at = None
            session.add(share)
            session.flush()
            if renewed:
                session.exec(delete(ShareSession).where(ShareSession.share_id == share.id))
            audit.record(
                session,
                "share_renewed" if renewed else "share_created",
                actor_id=actor.user_id,
                target_type="share",
                target_id=share.id,
                kind=GUEST,
                item_type=PAGE_ITEM,
                item_id=page.id,
                guest=email,
            )
            lines = [
                f"{actor.display_name} shared “{page.title}” with you on {settings.portal_name}.",
            ]
            if note:
                lines += ["", note]
            lines += ["", f"Open it: {link_url(token)}", ""]
            if secret:
                lines.append(f"{actor.display_name} will tell you the password.")
            if expiry is not None:
                lines.append(f"The link works until {_when(expiry)}.")
            lines.append("The link is personal: please don't forward it.")
            outgoing.append(
                (email, f"{actor.display_name} shared “{page.title}” with you", "\n".join(lines))
            )
        mail.queue_many(session, outgoing)
    return len(people)


def _when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


# --- the Shared list -------------------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    id: int
    kind: str
    kind_label: str
    item_type: str
    item_name: str
    item_path: str
    shared_with: str
    created_by: str
    created: str
    has_password: bool
    expires: str
    status: str
    status_label: str
    last_used: str
    use_count: int
    downloads: str
    contribute: bool


@dataclass(frozen=True)
class ShareFilters:
    organization_id: int = 0
    kind: str = ""
    status: str = ""
    creator_id: int = 0
    query: str = ""
    page_id: int = 0


def _status_of(share: Share, now: datetime) -> str:
    if share.status == ACTIVE and share.expires_at is not None and now >= share.expires_at:
        return "expired"
    return share.status


def filters_from(value: object) -> ShareFilters:
    """Filters as a browser sent them: anything unexpected means "no filter"."""
    if not isinstance(value, dict):
        return ShareFilters()

    def number(key: str) -> int:
        raw = value.get(key)
        if raw in (None, "", 0):
            return 0
        try:
            return parse_id(raw)
        except NotFound:
            return 0

    kind = value.get("kind")
    status = value.get("status")
    query = value.get("query")
    return ShareFilters(
        organization_id=number("organization_id"),
        kind=kind if kind in KINDS else "",
        status=status if status in (ACTIVE, DEACTIVATED, "expired") else "",
        creator_id=number("creator_id"),
        query=query.strip()[:100] if isinstance(query, str) else "",
        page_id=number("page_id"),
    )


def _query(actor: Actor, filters: ShareFilters, now: datetime):
    creator = User.__table__.alias("creator")  # type: ignore[attr-defined]
    statement = (
        select(Share, Page, creator.c.display_name)
        .outerjoin(Page, col(Page.id) == Share.page_id)
        .join(creator, creator.c.id == Share.created_by)
        .where(Share.status != REMOVED, access.visible_shares_filter(actor))
    )
    if filters.kind:
        statement = statement.where(Share.kind == filters.kind)
    if filters.status == "expired":
        statement = statement.where(
            Share.status == ACTIVE, col(Share.expires_at).is_not(None), Share.expires_at <= now
        )
    elif filters.status == ACTIVE:
        statement = statement.where(
            Share.status == ACTIVE, or_(col(Share.expires_at).is_(None), Share.expires_at > now)
        )
    elif filters.status:
        statement = statement.where(Share.status == filters.status)
    if filters.creator_id:
        statement = statement.where(Share.created_by == filters.creator_id)
    if filters.page_id:
        statement = statement.where(Share.page_id == filters.page_id)
    if filters.organization_id:
        member = select(User.id).where(User.organization_id == filters.organization_id)
        statement = statement.where(
            or_(
                Share.organization_id == filters.organization_id,
                Page.home_organization_id == filters.organization_id,
                exists().where(
                    PageGrant.page_id == Share.page_id,
                    or_(
                        PageGrant.organization_id == filters.organization_id,
                        col(PageGrant.user_id).in_(member),
                    ),
                ),
            )
        )
    if filters.query:
        like = f"%{filters.query.lower()}%"
        file_named = exists().where(
            StoredFile.id == Share.item_id,
            func.lower(StoredFile.filename).like(like),
        )
        document_named = exists().where(
            Document.id == Share.item_id,
            func.lower(Document.name).like(like),
        )
        statement = statement.where(
            or_(
                func.lower(Page.title).like(like),
                func.lower(Share.guest_email).like(like),
                func.lower(creator.c.display_name).like(like),
                and_(Share.item_type == FILE_ITEM, file_named),
                and_(Share.item_type == DOCUMENT_ITEM, document_named),
            )
        )
    return statement.order_by(col(Share.created_at).desc(), col(Share.id).desc())


def list_shares(actor: Actor, filters: object = None, limit: int = 500) -> list[ShareRow]:
    """Every share ``actor`` may manage, newest first, filtered."""
    access.require(access.can_share(actor))
    wanted = filters if isinstance(filters, ShareFilters) else filters_from(filters)
    now = utcnow()
    with session_scope() as session:
        rows = session.exec(_query(actor, wanted, now).limit(limit)).all()
        file_names = _file_names(
            session, [s.item_id for s, _, _ in rows if s.item_type == FILE_ITEM]
        )
        names = _organization_item_names(session, [s for s, _, _ in rows])
        return [_row(share, page, creator, file_names, now, names) for share, page, creator in rows]


def _organization_item_names(session: Session, shares: list[Share]) -> dict[int, str]:
    """Share id -> what an organization-level share is about (a document, a dropsite)."""
    documents = {
        d.id: d.name
        for d in session.exec(
            select(Document).where(
                col(Document.id).in_([s.item_id for s in shares if s.item_type == DOCUMENT_ITEM])
            )
        )
    }
    organizations = {
        o.id: o.name
        for o in session.exec(
            select(Organization).where(
                col(Organization.id).in_(
                    [s.item_id for s in shares if s.item_type == DROPSITE_ITEM]
                )
            )
        )
    }
    names = {}
    for share in shares:
        if share.item_type == DOCUMENT_ITEM:
            names[share.id or 0] = documents.get(share.item_id, "A removed document")
        elif share.item_type == DROPSITE_ITEM:
            names[share.id or 0] = f"Dropsite of {organizations.get(share.item_id, 'a client')}"
    return names


def _file_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.exec(
            select(StoredFile.id, StoredFile.filename).where(col(StoredFile.id).in_(ids))
        ).all()
    )


def _row(
    share: Share,
    page: Page | None,
    creator: str,
    file_names: dict[int, str],
    now: datetime,
    names: dict[int, str] | None = None,
) -> ShareRow:
    assert share.id is not None
    status = _status_of(share, now)
    if share.item_type == FILE_ITEM:
        name = file_names.get(share.item_id, "A removed document")
        path = f"/files/{share.item_id}"
    elif share.item_type in (DOCUMENT_ITEM, DROPSITE_ITEM) or page is None:
        name = (names or {}).get(share.id, "A removed item")
        path = "/documents"
    else:
        name, path = page.title, f"/pages/{page.slug}"
    shared_with = {
        GUEST: share.guest_email,
        WEB: "Anyone with the link",
        SECURED: "People who may see it, after signing in",
    }[share.kind]
    if share.download_limit:
        downloads = f"{share.download_count} of {share.download_limit}"
    else:
        documents = (FILE_ITEM, DOCUMENT_ITEM)
        downloads = str(share.download_count) if share.item_type in documents else ""
    return ShareRow(
        id=share.id,
        kind=share.kind,
        kind_label=KIND_LABELS[share.kind],
        item_type=share.item_type,
        item_name=name,
        item_path=path,
        shared_with=shared_with,
        created_by=creator,
        created=share.created_at.strftime("%d %b %Y"),
        has_password=share.password_hash is not None,
        expires=_when(share.expires_at) if share.expires_at else "Never",
        status=status,
        status_label=STATUS_LABELS.get(status, status),
        last_used=share.last_used_at.strftime("%d %b %Y, %H:%M") if share.last_used_at else "Never",
        use_count=share.use_count,
        downloads=downloads,
        contribute=share.contribute,
    )


def _managed(session: Session, actor: Actor, share_ids: object) -> list[Share]:
    """The shares among ``share_ids`` that ``actor`` manages; NotFound if any isn't."""
    access.require(access.can_share(actor))
    if not isinstance(share_ids, list) or not share_ids or len(share_ids) > 1000:
        raise Invalid("Choose one or more shares.")
    try:
        wanted = {parse_id(share_id) for share_id in share_ids}
    except NotFound as exc:
        raise NotFound(access.SHARE_NOT_FOUND) from exc
    rows = list(
        session.exec(
            select(Share).where(
                col(Share.id).in_(wanted),
                Share.status != REMOVED,
                access.visible_shares_filter(actor),
            )
        ).all()
    )
    if len(rows) != len(wanted):
        raise NotFound(access.SHARE_NOT_FOUND)
    return rows


def set_status(actor: Actor, share_ids: object, status: object) -> int:
    """Deactivate, reactivate or remove shares. A removed share disappears from the list
    and its link, like a deactivated one, is "no longer available"."""
    if status not in (ACTIVE, DEACTIVATED, REMOVED):
        raise Invalid("Choose deactivate, reactivate or remove.")
    with session_scope() as session:
        rows = _managed(session, actor, share_ids)
        for share in rows:
            share.status = str(status)
            session.add(share)
            if status != ACTIVE:
                _end_guest_sessions(session, share)
            audit.record(
                session,
                STATUS_ACTIONS[str(status)],
                actor_id=actor.user_id,
                target_type="share",
                target_id=share.id,
            )
        return len(rows)


def set_expiry(actor: Actor, share_ids: object, expires_at: object) -> int:
    """Give shares a new expiry (within the portal's policy; empty: the policy's
    default)."""
    wanted = parse_expiry(expires_at)
    now = utcnow()
    with session_scope() as session:
        rows = _managed(session, actor, share_ids)
        policy = _policy_row(session)
        for share in rows:
            share.expires_at = _apply_policy(
                policy, share.kind, wanted, "x" if share.password_hash else "", now
            )
            session.add(share)
            audit.record(
                session,
                "share_expiry_changed",
                actor_id=actor.user_id,
                target_type="share",
                target_id=share.id,
                expires_at=share.expires_at,
            )
        return len(rows)


def regenerate_link(actor: Actor, share_id: object) -> CreatedLink:
    """A new token for a share: the old link stops working at once."""
    token = new_token()
    with session_scope() as session:
        (share,) = _managed(session, actor, [share_id])
        assert share.id is not None
        share.token_hash = token_hash(token)
        session.add(share)
        _end_guest_sessions(session, share)
        audit.record(
            session,
            "share_regenerated",
            actor_id=actor.user_id,
            target_type="share",
            target_id=share.id,
        )
        if share.kind == GUEST and share.guest_email:
            mail.queue(
                share.guest_email,
                f"A new link from {actor.display_name}",
                f"{actor.display_name} sent you a new link on {get_settings().portal_name}; "
                f"the earlier one no longer works.\n\nOpen it: {link_url(token)}\n",
                session=session,
            )
        return CreatedLink(share.id, link_url(token))


def _end_guest_sessions(session: Session, share: Share) -> None:
    session.execute(delete(ShareSession).where(col(ShareSession.share_id) == share.id))
    if share.guest_user_id:
        live.touch(session, live.person_topic(share.guest_user_id))


@dataclass(frozen=True)
class AccessRow:
    at: str
    ip: str
    user_agent: str
    what: str


def access_log(actor: Actor, share_id: object, limit: int = 200) -> list[AccessRow]:
    with session_scope() as session:
        (share,) = _managed(session, actor, [share_id])
        rows = session.exec(
            select(ShareAccess)
            .where(ShareAccess.share_id == share.id)
            .order_by(col(ShareAccess.at).desc(), col(ShareAccess.id).desc())
            .limit(limit)
        ).all()
        return [
            AccessRow(row.at.strftime("%d %b %Y, %H:%M:%S"), row.ip, row.user_agent, row.what)
            for row in rows
        ]


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def export_csv(actor: Actor, filters: object = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Kind",
            "Item",
            "Shared with",
            "Created by",
            "Created",
            "Password",
            "Expires",
            "Status",
            "Last used",
            "Uses",
            "Downloads",
        ]
    )
    for row in list_shares(actor, filters, limit=100_000):
        writer.writerow(
            [
                _cell(v)
                for v in (
                    row.kind_label,
                    row.item_name,
                    row.shared_with,
                    row.created_by,
                    row.created,
                    "yes" if row.has_password else "no",
                    row.expires,
                    row.status_label,
                    row.last_used,
                    row.use_count,
                    row.downloads,
                )
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def filter_choices(actor: Actor) -> tuple[list[Choice], list[Choice]]:
    """(client organizations, creators) to filter the list by."""
    access.require(access.can_share(actor))
    with session_scope() as session:
        organizations = session.exec(
            select(Organization.id, Organization.name)
            .where(
                col(Organization.archived).is_(False), access.visible_organizations_filter(actor)
            )
            .order_by(Organization.name)
        ).all()
        creators = session.exec(
            select(User.id, User.display_name)
            .where(
                col(User.id).in_(
                    select(Share.created_by).where(
                        Share.status != REMOVED, access.visible_shares_filter(actor)
                    )
                )
            )
            .order_by(User.display_name)
        ).all()
    return (
        [Choice(str(i), n) for i, n in organizations],
        [Choice(str(i), n) for i, n in creators],
    )


# --- opening a link (no one signed in, or anyone) ----------------------------------------


@dataclass(frozen=True)
class Opened:
    """What ``/s/<token>`` does next: go to ``path``; when ``guest_token`` is set, the
    browser first gets that guest session cookie."""

    path: str
    guest_token: str = ""
    guest_expires: datetime | None = None
    sign_in: bool = False  # a secured link opened by nobody: sign in first


@dataclass(frozen=True)
class PasswordNeeded:
    kind: str


def _throttle_keys(token: str, ip: str) -> list[str]:
    return [f"share:{token_hash(token)[:32]}", f"shareip:{ip[:64]}"]


def _find(session: Session, token: object) -> Share | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return session.exec(select(Share).where(Share.token_hash == token_hash(token))).first()


def _check_usable(session: Session, share: Share, now: datetime) -> None:
    if share.status != ACTIVE:
        raise LinkUnavailable()
    if share.expires_at is not None and now >= share.expires_at:
        sharer = session.get(User, share.created_by)
        who = sharer.display_name if sharer else "the person who shared it"
        raise LinkExpired(
            f"This link expired on {_when(share.expires_at)}. "
            f"Ask {who} at {get_settings().portal_name} for a new one."
        )


def open_link(
    token: object,
    *,
    ip: str,
    user_agent: str = "",
    password: object = None,
    signed_in: Actor | None = None,
) -> Opened | PasswordNeeded:
    """Use a link: check throttling, existence, status, expiry and password; record the
    use; say where the browser goes next."""
    raw = token if isinstance(token, str) else ""
    keys = _throttle_keys(raw, ip)
    now = utcnow()
    with session_scope() as session:
        throttle.check(session, keys, now)
        share = _find(session, raw)
        if share is None:
            throttle.record(session, keys, succeeded=False, now=now)
    if share is None:
        with session_scope() as session:
            throttle.check(session, keys, utcnow())
        raise LinkUnavailable()
    with session_scope() as session:
        _check_usable(session, share, now)
    if share.kind == SECURED:
        # A convenience, not a grant: the item's own page decides once signed in.
        path = _item_path(share)
        _record_use(share, ip, user_agent, "opened (secured link)")
        return Opened(path, sign_in=signed_in is None)
    if share.password_hash is not None:
        if password is None:
            return PasswordNeeded(share.kind)
        ok = passwords.verify_password(password, share.password_hash)
        with session_scope() as session:
            # Only the link's own count clears on success: a right password for one
            # link must not reset an address that guesses others.
            throttle.record(session, keys if not ok else keys[:1], succeeded=ok, now=utcnow())
        if not ok:
            with session_scope() as session:
                throttle.check(session, keys, utcnow())
            raise WrongPassword()
    if share.item_type in (FILE_ITEM, DOCUMENT_ITEM):
        _record_use(share, ip, user_agent, "opened the link")
        with session_scope() as session:
            return Opened(signed_file_path(session, share))
    # A page: the browser becomes this share's guest.
    path = _item_path(share)
    if signed_in is not None and share.item_type == DROPSITE_ITEM:
        if access.sends_to_dropsite(signed_in) is None:
            raise SignedInAsSomeoneElse(
                f"You're signed in as {signed_in.email}, who can't send files through a "
                "dropsite. Sign out to open the link."
            )
        _record_use(share, ip, user_agent, f"opened while signed in as {signed_in.email}")
        return Opened(path)
    if signed_in is not None:
        # One identity per browser: a signed-in person who may see the page just goes
        # there; anyone else is asked to sign out first, never given a second identity.
        with session_scope() as session:
            try:
                access.access_page(session, signed_in, share.page_id)
            except NotFound as exc:
                raise SignedInAsSomeoneElse(
                    f"You're signed in as {signed_in.email}, who can't open this page. "
                    "Sign out to open the link as its guest."
                ) from exc
        _record_use(share, ip, user_agent, f"opened while signed in as {signed_in.email}")
        return Opened(path)
    guest_token = new_token()
    expires = now + timedelta(days=GUEST_SESSION_DAYS)
    if share.expires_at is not None:
        expires = min(expires, share.expires_at)
    with session_scope() as session:
        session.add(
            ShareSession(
                token_hash=token_hash(guest_token),
                share_id=share.id,
                created_at=now,
                expires_at=expires,
            )
        )
    _record_use(
        share, ip, user_agent, "opened the dropsite" if path == DROPSITE_PATH else "opened the page"
    )
    return Opened(path, GUEST_COOKIE_PREFIX + guest_token, expires)


def _item_path(share: Share) -> str:
    with session_scope() as session:
        if share.item_type == FILE_ITEM:
            return f"/files/{share.item_id}"
        if share.item_type == DROPSITE_ITEM:
            return DROPSITE_PATH
        if share.item_type == DOCUMENT_ITEM:
            document = session.get(Document, share.item_id)
            if document is None or document.deleted_at is not None:
                raise LinkUnavailable("This document was removed.")
            return f"/files/{document.current_file_id}"
        page = session.get(Page, share.page_id)
        if page is None or page.archived:
            raise LinkUnavailable()
        return f"/pages/{page.slug}"


def _record_use(share: Share, ip: str, user_agent: str, what: str) -> None:
    now = utcnow()
    with session_scope() as session:
        session.add(
            ShareAccess(
                share_id=share.id, at=now, ip=ip[:64], user_agent=user_agent[:300], what=what[:300]
            )
        )
        first = session.execute(
            update(Share)
            .where(col(Share.id) == share.id, col(Share.first_opened_at).is_(None))
            .values(first_opened_at=now)
        ).rowcount
        session.execute(
            update(Share)
            .where(col(Share.id) == share.id)
            .values(use_count=Share.use_count + 1, last_used_at=now)
        )
        if first and share.notify_first_open and share.kind != SECURED:
            sharer = session.get(User, share.created_by)
            if sharer is not None and sharer.active:
                who = share.guest_email or "Someone with your web link"
                mail.queue(
                    sharer.email,
                    f"{who} opened what you shared",
                    f"{who} opened the link you shared on {get_settings().portal_name} "
                    f"for the first time ({_when(now)}).\n\n"
                    f"Manage your shares: {portal_url('/settings/sharing')}\n",
                    session=session,
                )


def record_guest_download(actor: Actor, file_name: str, *, ip: str, user_agent: str) -> None:
    """A guest downloaded a file of their shared page: it goes in the share's log."""
    if actor.is_guest and actor.share_id:
        with session_scope() as session:
            session.add(
                ShareAccess(
                    share_id=actor.share_id,
                    ip=ip[:64],
                    user_agent=user_agent[:300],
                    what=f"downloaded “{file_name}”"[:300],
                )
            )


# --- guest sessions ------------------------------------------------------------------------


def resolve_guest(cookie_value: str) -> Actor | None:
    """The guest a ``g.``-cookie signs in, while its share is active and unexpired."""
    raw = cookie_value[len(GUEST_COOKIE_PREFIX) :]
    if not raw or len(raw) > 100:
        return None
    now = utcnow()
    with session_scope() as session:
        row = session.exec(
            select(ShareSession, Share)
            .join(Share, col(Share.id) == ShareSession.share_id)
            .where(ShareSession.token_hash == token_hash(raw))
        ).first()
        if row is None:
            return None
        guest_session, share = row
        if (
            now >= guest_session.expires_at
            or share.status != ACTIVE
            or (share.expires_at is not None and now >= share.expires_at)
            or share.item_type not in (PAGE_ITEM, DROPSITE_ITEM)
        ):
            session.delete(guest_session)
            return None
        user = session.get(User, share.guest_user_id) if share.guest_user_id else None
        return Actor(
            user_id=user.id if user and user.id else 0,
            role=access.GUEST,
            organization_id=None,
            email=share.guest_email,
            display_name=user.display_name if user else "Guest",
            scope=(str(share.item_type), share.item_id),
            share_id=share.id,
            share_contributes=share.kind == GUEST and share.contribute,
        )


def close_guest(cookie_value: str) -> None:
    raw = cookie_value[len(GUEST_COOKIE_PREFIX) :]
    with session_scope() as session:
        session.execute(delete(ShareSession).where(col(ShareSession.token_hash) == token_hash(raw)))


# --- signed download URLs -----------------------------------------------------------------


def _signature(session: Session, share_id: int, file_id: int, expires: int) -> str:
    mac = hmac.new(
        _signing_key(session), f"{share_id}:{file_id}:{expires}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def _shared_file_id(session: Session, share: Share) -> int | None:
    """The file a share serves: its file, or its document's current version."""
    if share.item_type == FILE_ITEM:
        return share.item_id
    if share.item_type == DOCUMENT_ITEM:
        document = session.get(Document, share.item_id)
        if document is not None and document.deleted_at is None:
            return document.current_file_id
    return None


def signed_file_path(session: Session, share: Share) -> str:
    """A download address for a shared file, valid for five minutes, bound to ``share``."""
    assert share.id is not None
    file_id = _shared_file_id(session, share)
    if file_id is None:
        raise LinkUnavailable("This document was removed.")
    expires = int(time.time()) + SIGNED_URL_SECONDS
    signature = _signature(session, share.id, file_id, expires)
    return f"/s/file/{share.id}/{file_id}/{expires}/{signature}"


def open_signed_download(
    share_id: object,
    file_id: object,
    expires: object,
    signature: object,
    *,
    ip: str,
    user_agent: str,
    counts: bool,
) -> tuple[StoredFile, Storage]:
    """The file a signed URL names, when the signature holds, it hasn't expired, its
    share is still usable and (for a download that ``counts``) the download limit allows
    one more: checked and counted by one UPDATE, so concurrent requests can't pass it."""
    try:
        share_number, file_number, until = parse_id(share_id), parse_id(file_id), parse_id(expires)
    except NotFound as exc:
        raise LinkUnavailable("This download link isn't valid.") from exc
    if not isinstance(signature, str) or len(signature) > 100:
        raise LinkUnavailable("This download link isn't valid.")
    now = utcnow()
    with session_scope() as session:
        expected = _signature(session, share_number, file_number, until)
        if not hmac.compare_digest(expected, signature):
            raise LinkUnavailable("This download link isn't valid.")
        if time.time() > until:
            raise LinkExpired("This download link has expired: open the shared link again.")
        share = session.get(Share, share_number)
        if share is None or _shared_file_id(session, share) != file_number:
            raise LinkUnavailable()
        _check_usable(session, share, now)
        file = session.get(StoredFile, file_number)
        if file is None or file.deleted_at is not None:
            raise LinkUnavailable("This document was removed.")
        if file.scan_status == QUARANTINED:
            raise LinkUnavailable("This document was held back by the virus scanner.")
        if counts:
            claimed = session.execute(
                update(Share)
                .where(
                    col(Share.id) == share.id,
                    or_(
                        col(Share.download_limit).is_(None),
                        Share.download_count < Share.download_limit,
                    ),
                )
                .values(download_count=Share.download_count + 1)
            ).rowcount
            if not claimed:
                raise LinkUnavailable("This link has reached its download limit.")
            session.add(
                ShareAccess(
                    share_id=share.id,
                    at=now,
                    ip=ip[:64],
                    user_agent=user_agent[:300],
                    what=f"downloaded “{file.filename}”"[:300],
                )
            )
    storage = get_storage()
    if not storage.exists(file.storage_key):
        raise LinkUnavailable("This document was removed.")
    return file, storage


def shares_of_page(actor: Actor, page_id: object) -> list[ShareRow]:
    """The Permissions dialog's list: the shares of one page and of its documents."""
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
    return list_shares(actor, ShareFilters(page_id=page.id or 0))
