"""Pages: navigation, viewing, creating, editing drafts, publishing, history,
permissions, subscribers and the home page.

Rules enforced here on every call:
- who sees a page is decided by ``policy.visible_pages_filter`` (clients see only
  published pages granted to them or their organization, and the home page);
- only staff edit, and an edit based on an older draft revision is refused
  (``Conflict``), so two editors never silently overwrite each other;
- a draft change is one checked operation (``services.layouts``), never a layout the
  browser made up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from portal_app import policy
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.models import (
    Organization,
    Page,
    PageGrant,
    PageStaffAccess,
    PageSubscription,
    PageVersion,
    Role,
    User,
)
from portal_app.policy import Actor
from portal_app.services import audit, layouts, mail
from portal_app.services.errors import Conflict, Forbidden, Invalid, NotFound
from portal_app.services.links import portal_url
from portal_app.services.people import MAX_ID, parse_id

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = {
    "login",
    "forgot",
    "reset",
    "invite",
    "settings",
    "account",
    "people",
    "pages",
    "files",
    "auth",
    "health",
    "ping",
    "editor",
    "new",
}
ICONS = (
    "file-text",
    "book-open",
    "briefcase",
    "calendar",
    "clipboard-list",
    "folder",
    "house",
    "info",
    "life-buoy",
    "megaphone",
    "message-circle",
    "star",
    "users",
)
LEVELS = ("view", "contribute")


# --- views sent to the browser ----------------------------------------------------------


@dataclass(frozen=True)
class NavPage:
    id: int
    title: str
    slug: str
    icon: str
    depth: int
    is_home: bool
    published: bool


@dataclass(frozen=True)
class WidgetView:
    id: str
    type: str
    config: dict[str, Any]


@dataclass(frozen=True)
class ColumnView:
    id: str
    widgets: list[WidgetView]


@dataclass(frozen=True)
class SectionView:
    id: str
    columns: list[ColumnView]


@dataclass(frozen=True)
class PageView:
    id: int
    title: str
    slug: str
    icon: str
    sections: list[SectionView]
    version: int
    is_home: bool
    can_edit: bool
    can_contribute: bool
    subscribed: bool


@dataclass(frozen=True)
class DraftView:
    id: int
    title: str
    slug: str
    icon: str
    parent_id: int
    revision: int
    sections: list[SectionView]
    published_version: int
    has_unpublished_changes: bool
    updated: str
    # Set by operations that create or delete something (for focus and undo).
    touched_widget: str = ""
    undo: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionRow:
    number: int
    title: str
    author: str
    created: str
    note: str
    live: bool


@dataclass(frozen=True)
class GrantRow:
    kind: str  # "organization" or "person"
    id: int
    name: str
    level: str


@dataclass(frozen=True)
class Permissions:
    staff_access: str
    staff_ids: list[int]
    grants: list[GrantRow]


# --- helpers ------------------------------------------------------------------------------


def _sections(layout: layouts.Layout) -> list[SectionView]:
    return [
        SectionView(
            id=section["id"],
            columns=[
                ColumnView(
                    id=layouts.column_id(section["id"], index),
                    widgets=[
                        WidgetView(
                            id=wid,
                            type=layout["widgets"][wid]["type"],
                            config=layout["widgets"][wid]["config"],
                        )
                        for wid in column
                        if wid in layout["widgets"]
                    ],
                )
                for index, column in enumerate(section["columns"])
            ],
        )
        for section in layout["sections"]
    ]


def _visible_page(session: Session, actor: Actor, page_id: object) -> Page:
    page = session.exec(
        select(Page).where(Page.id == parse_id(page_id), policy.visible_pages_filter(actor))
    ).first()
    if page is None:
        raise NotFound("This page doesn't exist or isn't shared with you.")
    return page


def _editable_page(session: Session, actor: Actor, page_id: object) -> Page:
    if not policy.can_edit_pages(actor):
        raise NotFound("This page doesn't exist or isn't shared with you.")
    return _visible_page(session, actor, page_id)


def _may_contribute(session: Session, actor: Actor, page: Page) -> bool:
    if actor.is_staff:
        return True
    assert page.id is not None
    return (
        session.exec(select(PageGrant.id).where(policy.contribute_filter(actor, page.id))).first()
        is not None
    )


def _published_layout(session: Session, page: Page) -> tuple[int, layouts.Layout]:
    if page.published_version is None:
        return 0, {"sections": [], "widgets": {}}
    version = session.exec(
        select(PageVersion).where(
            PageVersion.page_id == page.id, PageVersion.number == page.published_version
        )
    ).one()
    return version.number, layouts.load(version.layout)


def _slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80]
    return slug or "page"


def _unique_slug(session: Session, base: str, page_id: int | None = None) -> str:
    candidate, n = base, 1
    while (
        candidate in RESERVED_SLUGS
        or session.exec(
            select(Page.id).where(Page.slug == candidate, Page.id != (page_id or 0))
        ).first()
    ):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _check_title(title: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise Invalid("Give the page a title.", field="title")
    title = " ".join(title.split())
    if len(title) > 200:
        raise Invalid("Use at most 200 characters.", field="title")
    return title


def _when(value) -> str:
    return value.strftime("%d %b %Y, %H:%M")


# --- navigation and viewing ------------------------------------------------------------


def list_navigation(actor: Actor) -> list[NavPage]:
    """The page tree ``actor`` may see, depth-first. A page whose parent is hidden from
    the actor shows at the top level: the parent's title never leaks."""
    with session_scope() as session:
        pages = session.exec(
            select(Page)
            .where(policy.visible_pages_filter(actor))
            .order_by(col(Page.position), func.lower(Page.title))
        ).all()
    visible = {p.id for p in pages}
    children: dict[int | None, list[Page]] = {}
    for page in pages:
        parent = page.parent_id if page.parent_id in visible else None
        children.setdefault(parent, []).append(page)
    ordered: list[NavPage] = []

    def walk(parent: int | None, depth: int) -> None:
        for page in sorted(children.get(parent, []), key=lambda p: (not p.is_home, p.position)):
            assert page.id is not None
            ordered.append(
                NavPage(
                    id=page.id,
                    title=page.title,
                    slug=page.slug,
                    icon=page.icon,
                    depth=min(depth, 4),
                    is_home=page.is_home,
                    published=page.published_version is not None,
                )
            )
            walk(page.id, depth + 1)

    walk(None, 0)
    return ordered


def home_slug(actor: Actor) -> str:
    """The slug of the home page ``actor`` lands on ('' when there is none yet)."""
    with session_scope() as session:
        visible = policy.visible_pages_filter(actor)
        if actor.organization_id is not None:
            own = session.exec(
                select(Page.slug).where(Page.home_organization_id == actor.organization_id, visible)
            ).first()
            if own:
                return own
        found = session.exec(select(Page.slug).where(col(Page.is_home).is_(True), visible)).first()
        return found or ""


def view_page(actor: Actor, slug: object) -> PageView:
    """The published page at ``slug`` as ``actor`` sees it."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise NotFound("This page doesn't exist or isn't shared with you.")
    with session_scope() as session:
        page = session.exec(
            select(Page).where(Page.slug == slug, policy.visible_pages_filter(actor))
        ).first()
        if page is None:
            raise NotFound("This page doesn't exist or isn't shared with you.")
        version, layout = _published_layout(session, page)
        assert page.id is not None
        subscribed = session.get(PageSubscription, (page.id, actor.user_id)) is not None
        return PageView(
            id=page.id,
            title=page.title,
            slug=page.slug,
            icon=page.icon,
            # Empty sections are an editing aid: readers don't see the gap.
            sections=[sec for sec in _sections(layout) if any(c.widgets for c in sec.columns)],
            version=version,
            is_home=page.is_home,
            can_edit=policy.can_edit_pages(actor),
            can_contribute=_may_contribute(session, actor, page),
            subscribed=subscribed,
        )


def preview_as(
    actor: Actor, page_id: object, organization_id: object = 0, user_id: object = 0
) -> tuple[PageView, list[NavPage]]:
    """What a client organization (or one limited user) would see: the page and their
    navigation. Staff only; refused with a clear message when they can't see it."""
    if not policy.can_edit_pages(actor):
        raise Forbidden()
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        if user_id not in (0, "0", "", None):
            user = session.get(User, parse_id(user_id))
            if user is None or user.role != Role.LIMITED:
                raise Invalid("Choose a client to preview as.")
            target = policy.actor_for(user)
            who = user.display_name
        else:
            org = session.get(Organization, parse_id(organization_id))
            if org is None:
                raise Invalid("Choose a client organization to preview as.")
            # A member no one is: sees exactly what the organization was granted.
            target = Actor(
                user_id=0,
                role=Role.LIMITED,
                organization_id=org.id,
                email="",
                display_name=org.name,
            )
            who = org.name
        slug = page.slug
    try:
        return view_page(target, slug), list_navigation(target)
    except NotFound as exc:
        raise Invalid(
            f"{who} can't see this page: it isn't published or shared with them."
        ) from exc


# --- creating and editing --------------------------------------------------------------


def require_page_creator(actor: Actor) -> None:
    """Only staff create pages (the New page form asks before it shows)."""
    if not policy.can_create_pages(actor):
        raise Forbidden()


def create_page(actor: Actor, title: object, parent_id: object = 0) -> DraftView:
    """Staff create a page: visible to all staff, shared with no client, unpublished."""
    require_page_creator(actor)
    clean = _check_title(title)
    with session_scope() as session:
        parent = None
        if parent_id not in (0, "0", "", None):
            parent = _editable_page(session, actor, parent_id)
        position = session.exec(
            select(func.coalesce(func.max(Page.position), 0)).where(
                Page.parent_id == (parent.id if parent else None)
            )
        ).one()
        page = Page(
            title=clean,
            slug=_unique_slug(session, _slugify(clean)),
            parent_id=parent.id if parent else None,
            position=position + 1,
            draft_layout=layouts.dump(layouts.empty_layout()),
            created_by=actor.user_id,
            draft_updated_by=actor.user_id,
        )
        session.add(page)
        session.flush()
        assert page.id is not None
        session.add(PageSubscription(page_id=page.id, user_id=actor.user_id))
        audit.record(
            session,
            "page_created",
            actor_id=actor.user_id,
            target_type="page",
            target_id=page.id,
            title=clean,
        )
        page_id = page.id
    return get_draft(actor, page_id)


def _draft_view(session: Session, page: Page, **extra: Any) -> DraftView:
    layout = layouts.load(page.draft_layout)
    assert page.id is not None
    _, published = _published_layout(session, page)
    return DraftView(
        id=page.id,
        title=page.title,
        slug=page.slug,
        icon=page.icon,
        parent_id=page.parent_id or 0,
        revision=page.draft_revision,
        sections=_sections(layout),
        published_version=page.published_version or 0,
        has_unpublished_changes=page.published_version is None or published != layout,
        updated=_when(page.draft_updated_at),
        **extra,
    )


def get_draft(actor: Actor, page_id: object) -> DraftView:
    with session_scope() as session:
        return _draft_view(session, _editable_page(session, actor, page_id))


def edit_draft(
    actor: Actor, page_id: object, revision: object, operation: object, arguments: object
) -> DraftView:
    """Apply one editor operation to the draft. ``revision`` is the draft revision the
    editor last saw: if someone saved since, the change is refused with ``Conflict``."""
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        if revision != page.draft_revision:
            raise Conflict()
        layout = layouts.load(page.draft_layout)
        result = layouts.apply(layout, operation, arguments)
        page.draft_layout = layouts.dump(layout)
        page.draft_revision += 1
        page.draft_updated_at = utcnow()
        page.draft_updated_by = actor.user_id
        session.add(page)
        extra: dict[str, Any] = {}
        if isinstance(result, str):
            extra["touched_widget"] = result
        elif isinstance(result, dict):
            extra["undo"] = result
        return _draft_view(session, page, **extra)


def update_page_settings(
    actor: Actor,
    page_id: object,
    revision: object,
    title: object,
    slug: object,
    icon: object,
    parent_id: object = 0,
) -> DraftView:
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        if revision != page.draft_revision:
            raise Conflict()
        page.title = _check_title(title)
        if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 80:
            raise Invalid(
                "Use lower-case letters, digits and dashes, like client-onboarding.", field="slug"
            )
        if (
            slug in RESERVED_SLUGS
            or session.exec(select(Page.id).where(Page.slug == slug, Page.id != page.id)).first()
        ):
            raise Invalid("Another page already uses this address.", field="slug")
        page.slug = slug
        if icon not in ICONS:
            raise Invalid("Choose one of the offered icons.", field="icon")
        page.icon = str(icon)
        page.parent_id = _check_parent(session, actor, page, parent_id)
        page.draft_revision += 1
        page.draft_updated_at = utcnow()
        page.draft_updated_by = actor.user_id
        session.add(page)
        return _draft_view(session, page)


def _check_parent(session: Session, actor: Actor, page: Page, parent_id: object) -> int | None:
    if parent_id in (0, "0", "", None):
        return None
    parent = _editable_page(session, actor, parent_id)
    ancestor: Page | None = parent
    while ancestor is not None:
        if ancestor.id == page.id:
            raise Invalid("A page can't be inside itself.", field="parent")
        ancestor = session.get(Page, ancestor.parent_id) if ancestor.parent_id else None
    return parent.id


def archive_page(actor: Actor, page_id: object) -> None:
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        if page.is_home:
            raise Invalid("The home page can't be deleted. Make another page the home first.")
        page.archived = True
        session.add(page)
        for child in session.exec(select(Page).where(Page.parent_id == page.id)):
            child.parent_id = page.parent_id
            session.add(child)
        audit.record(
            session,
            "page_deleted",
            actor_id=actor.user_id,
            target_type="page",
            target_id=page.id,
            title=page.title,
        )


# --- publishing and history ------------------------------------------------------------


def publish(actor: Actor, page_id: object, revision: object) -> int:
    """Make the draft the live version; subscribers are told by e-mail."""
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        if revision != page.draft_revision:
            raise Conflict()
        number = (
            session.exec(
                select(func.max(PageVersion.number)).where(PageVersion.page_id == page.id)
            ).one()
            or 0
        ) + 1
        assert page.id is not None
        session.add(
            PageVersion(
                page_id=page.id,
                number=number,
                title=page.title,
                layout=page.draft_layout,
                created_by=actor.user_id,
                note="Published",
            )
        )
        page.published_version = number
        session.add(page)
        audit.record(
            session,
            "page_published",
            actor_id=actor.user_id,
            target_type="page",
            target_id=page.id,
            version=number,
        )
        title, slug, the_id = page.title, page.slug, page.id
    notify_subscribers(
        the_id,
        exclude_user_id=actor.user_id,
        subject=f"{title} was updated",
        body=f"{actor.display_name} published a new version of “{title}”.\n\n"
        f"Open it: {portal_url('/pages/' + slug)}\n",
    )
    return number


def list_versions(actor: Actor, page_id: object) -> list[VersionRow]:
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        names = {u.id: u.display_name for u in session.exec(select(User))}
        rows = session.exec(
            select(PageVersion)
            .where(PageVersion.page_id == page.id)
            .order_by(col(PageVersion.number).desc())
        ).all()
        return [
            VersionRow(
                number=v.number,
                title=v.title,
                author=names.get(v.created_by, "Someone"),
                created=_when(v.created_at),
                note=v.note,
                live=v.number == page.published_version,
            )
            for v in rows
        ]


def restore_version(actor: Actor, page_id: object, number: object, revision: object) -> DraftView:
    """Bring an older version back into the draft (its title and every widget);
    publishing it makes it live again."""
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        if revision != page.draft_revision:
            raise Conflict()
        if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < MAX_ID:
            raise NotFound("That version doesn't exist.")
        version = session.exec(
            select(PageVersion).where(PageVersion.page_id == page.id, PageVersion.number == number)
        ).first()
        if version is None:
            raise NotFound("That version doesn't exist.")
        page.draft_layout = version.layout
        page.title = version.title
        page.draft_revision += 1
        page.draft_updated_at = utcnow()
        page.draft_updated_by = actor.user_id
        session.add(page)
        audit.record(
            session,
            "page_version_restored",
            actor_id=actor.user_id,
            target_type="page",
            target_id=page.id,
            version=number,
        )
        return _draft_view(session, page)


# --- permissions -----------------------------------------------------------------------


def get_permissions(actor: Actor, page_id: object) -> Permissions:
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        staff_ids = list(
            session.exec(
                select(PageStaffAccess.user_id).where(PageStaffAccess.page_id == page.id)
            ).all()
        )
        grants = []
        for grant in session.exec(select(PageGrant).where(PageGrant.page_id == page.id)):
            if grant.organization_id:
                org = session.get(Organization, grant.organization_id)
                grants.append(
                    GrantRow(
                        "organization", grant.organization_id, org.name if org else "", grant.level
                    )
                )
            elif grant.user_id:
                user = session.get(User, grant.user_id)
                grants.append(
                    GrantRow(
                        "person", grant.user_id, user.display_name if user else "", grant.level
                    )
                )
        return Permissions(
            staff_access=page.staff_access,
            staff_ids=staff_ids,
            grants=sorted(grants, key=lambda g: (g.kind, g.name.lower())),
        )


def set_permissions(
    actor: Actor, page_id: object, staff_access: object, staff_ids: object, grants: object
) -> None:
    """Who sees the page: all staff or chosen staff; which client organizations and
    limited users, each view-only or may-contribute."""
    if staff_access not in ("all", "restricted"):
        raise Invalid("Choose who among staff can see this page.")
    if not isinstance(staff_ids, list) or not isinstance(grants, list) or len(grants) > 500:
        raise Invalid("These permissions could not be read.")
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        assert page.id is not None
        chosen_staff = set()
        for raw in staff_ids:
            user = session.get(User, parse_id(raw))
            if user is None or user.role == Role.LIMITED:
                raise Invalid("Only staff members can be chosen here.")
            chosen_staff.add(user.id)
        if staff_access == "restricted" and actor.role != Role.ADMIN:
            chosen_staff.add(actor.user_id)  # don't lock yourself out of your own page
        rows: list[PageGrant] = []
        seen: set[tuple[str, int]] = set()
        for grant in grants:
            if not isinstance(grant, dict) or grant.get("level") not in LEVELS:
                raise Invalid("Choose view or contribute for each grant.")
            kind, target = grant.get("kind"), parse_id(grant.get("id"))
            if (kind, target) in seen:
                continue
            seen.add((str(kind), target))
            if kind == "organization":
                org = session.get(Organization, target)
                if org is None or org.archived:
                    raise Invalid("One of the organizations no longer exists.")
                rows.append(
                    PageGrant(page_id=page.id, organization_id=target, level=grant["level"])
                )
            elif kind == "person":
                user = session.get(User, target)
                if user is None or user.role != Role.LIMITED:
                    raise Invalid("Pages are shared with clients; staff see pages by staff access.")
                rows.append(PageGrant(page_id=page.id, user_id=target, level=grant["level"]))
            else:
                raise Invalid("These permissions could not be read.")
        page.staff_access = str(staff_access)
        session.add(page)
        session.execute(delete(PageStaffAccess).where(col(PageStaffAccess.page_id) == page.id))
        session.execute(delete(PageGrant).where(col(PageGrant.page_id) == page.id))
        for user_id in chosen_staff:
            session.add(PageStaffAccess(page_id=page.id, user_id=user_id))
        for row in rows:
            session.add(row)
        audit.record(
            session,
            "page_permissions_changed",
            actor_id=actor.user_id,
            target_type="page",
            target_id=page.id,
            staff_access=staff_access,
            grants=[(r.organization_id, r.user_id, r.level) for r in rows],
        )


def set_home(actor: Actor, page_id: object, organization_id: object = 0) -> None:
    """Admins choose the home page, or an organization's own home page."""
    policy.require(actor.is_admin, "Only administrators choose the home page.")
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        if organization_id in (0, "0", "", None):
            for other in session.exec(select(Page).where(col(Page.is_home).is_(True))):
                other.is_home = False
                session.add(other)
            page.is_home = True
        else:
            org = session.get(Organization, parse_id(organization_id))
            if org is None:
                raise Invalid("Choose a client organization.")
            for other in session.exec(select(Page).where(Page.home_organization_id == org.id)):
                other.home_organization_id = None
                session.add(other)
            page.home_organization_id = org.id
        session.add(page)
        audit.record(
            session,
            "home_page_set",
            actor_id=actor.user_id,
            target_type="page",
            target_id=page.id,
            organization_id=organization_id or None,
        )


# --- subscribers ------------------------------------------------------------------------


def set_subscribed(actor: Actor, page_id: object, subscribed: object) -> None:
    if not isinstance(subscribed, bool):
        raise Invalid("Choose to subscribe or unsubscribe.")
    with session_scope() as session:
        page = _visible_page(session, actor, page_id)
        existing = session.get(PageSubscription, (page.id, actor.user_id))
        if subscribed and existing is None:
            session.add(PageSubscription(page_id=page.id or 0, user_id=actor.user_id))
        elif not subscribed and existing is not None:
            session.delete(existing)


def list_subscribers(actor: Actor, page_id: object) -> list[int]:
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        return list(
            session.exec(
                select(PageSubscription.user_id).where(PageSubscription.page_id == page.id)
            ).all()
        )


def set_subscribers(actor: Actor, page_id: object, user_ids: object) -> None:
    """Editors choose who gets e-mail about this page (only people who can see it)."""
    if not isinstance(user_ids, list) or len(user_ids) > 1000:
        raise Invalid("These subscribers could not be read.")
    with session_scope() as session:
        page = _editable_page(session, actor, page_id)
        wanted = {parse_id(uid) for uid in user_ids}
        session.execute(delete(PageSubscription).where(col(PageSubscription.page_id) == page.id))
        for uid in wanted:
            user = session.get(User, uid)
            if user is None or not user.active:
                raise Invalid("One of the chosen people no longer exists.")
            session.add(PageSubscription(page_id=page.id or 0, user_id=uid))


def notify_subscribers(
    page_id: int,
    *,
    subject: str,
    body: str,
    exclude_user_id: int | None = None,
    also_user_ids: set[int] | None = None,
    reader_filter: Callable[[Actor], bool] | None = None,
) -> int:
    """Mail the page's subscribers (and ``also_user_ids``) who can still see it.
    Returns how many were told. Visibility is checked per person: a subscriber whose
    access was withdrawn hears nothing. ``reader_filter`` narrows further for content
    not everyone on the page may read (a client's comment, a form submission)."""
    with session_scope() as session:
        ids = set(
            session.exec(
                select(PageSubscription.user_id).where(PageSubscription.page_id == page_id)
            ).all()
        ) | (also_user_ids or set())
        ids.discard(exclude_user_id)  # type: ignore[arg-type]
        recipients = []
        for user in session.exec(
            select(User).where(col(User.id).in_(ids), col(User.active).is_(True))
        ):
            reader = policy.actor_for(user)
            if reader_filter is not None and not reader_filter(reader):
                continue
            if session.exec(
                select(Page.id).where(Page.id == page_id, policy.visible_pages_filter(reader))
            ).first():
                recipients.append(user.email)
    name = get_settings().portal_name
    for address in recipients:
        mail.send(
            address, subject, body + f"\nYou get this because you follow this page on {name}.\n"
        )
    return len(recipients)


def live_widget(
    actor: Actor, page_id: object, widget_id: object
) -> tuple[Page, str, dict[str, Any], bool]:
    """For widget content: the page, the widget's type name and config, and whether
    ``actor`` may contribute, after checking that ``actor`` sees the page and the widget
    is on its live version (staff: or on the draft)."""
    if not isinstance(widget_id, str):
        raise Invalid("That widget isn't on this page.")
    with session_scope() as session:
        page = _visible_page(session, actor, page_id)
        _, layout = _published_layout(session, page)
        if actor.is_staff and widget_id not in layout["widgets"]:
            # Staff also work on widgets that are only in the draft so far.
            layout = layouts.load(page.draft_layout)
        widget = layout["widgets"].get(widget_id)
        if widget is None:
            raise Invalid("That widget isn't on this page.")
        return page, widget["type"], widget["config"], _may_contribute(session, actor, page)


def contribution_target(
    actor: Actor, page_id: object, widget_id: object, type_name: str, *, contributing: bool
) -> tuple[Page, dict[str, Any]]:
    """For widget actions: the published page and the widget's config, after checking
    that ``actor`` sees the page, the widget is on its live version with that type, and
    (when ``contributing``) that ``actor`` may contribute."""
    page, found_type, config, may_contribute = live_widget(actor, page_id, widget_id)
    if found_type != type_name:
        raise Invalid("That widget isn't on this page.")
    if contributing and not may_contribute:
        raise Forbidden("This page is view-only for you.")
    return page, config
