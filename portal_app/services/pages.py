"""Pages: navigation, viewing, creating, the page's place in the tree and the home page.

Rules enforced here on every call:
- who sees a page is decided by the access layer (``access.visible_pages_filter``,
  ``access.access_page``): clients see only published pages granted to them or their
  organization, and the home page;
- only staff create, move or delete pages; only administrators choose home pages.
Drafts and publishing live in ``services.drafts``, who sees a page in
``services.grants``, who hears of changes in ``services.subscriptions``.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Conflict, Forbidden, Invalid, NotFound
from portal_app.ids import parse_id
from portal_app.models import Organization, Page, PageSubscription
from portal_app.services import audit, drafts, layouts
from portal_app.services.page_views import DraftView, NavPage, PageView, sections_of
from portal_app.services.text import clean_line

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


# --- helpers ------------------------------------------------------------------------------


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
    title = clean_line(title) if isinstance(title, str) else ""
    if not title:
        raise Invalid("Give the page a title.", field="title")
    if len(title) > 200:
        raise Invalid("Use at most 200 characters.", field="title")
    return title


# --- navigation and viewing ------------------------------------------------------------


def list_navigation(actor: Actor) -> list[NavPage]:
    """The page tree ``actor`` may see, depth-first. A page whose parent is hidden from
    the actor shows at the top level: the parent's title never leaks."""
    with session_scope() as session:
        pages = session.exec(
            select(Page)
            .where(access.visible_pages_filter(actor))
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
        visible = access.visible_pages_filter(actor)
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
            select(Page).where(Page.slug == slug, access.visible_pages_filter(actor))
        ).first()
        if page is None:
            raise NotFound("This page doesn't exist or isn't shared with you.")
        version, layout = access.published_layout(session, page)
        assert page.id is not None
        subscribed = session.get(PageSubscription, (page.id, actor.user_id)) is not None
        return PageView(
            id=page.id,
            title=page.title,
            slug=page.slug,
            icon=page.icon,
            # Empty sections are an editing aid: readers don't see the gap.
            sections=[sec for sec in sections_of(layout) if any(c.widgets for c in sec.columns)],
            version=version,
            is_home=page.is_home,
            can_edit=access.can_edit_pages(actor),
            can_contribute=access.may_contribute(session, actor, page),
            subscribed=subscribed,
        )


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
        page = access.access_page(session, actor, page_id, access.EDIT)
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
        return drafts.draft_view(session, page)


def _check_parent(session: Session, actor: Actor, page: Page, parent_id: object) -> int | None:
    if parent_id in (0, "0", "", None):
        return None
    parent = access.access_page(session, actor, parent_id, access.EDIT)
    ancestor: Page | None = parent
    while ancestor is not None:
        if ancestor.id == page.id:
            raise Invalid("A page can't be inside itself.", field="parent")
        ancestor = session.get(Page, ancestor.parent_id) if ancestor.parent_id else None
    return parent.id


# --- creating, deleting, the home page ---------------------------------------------------


def require_page_creator(actor: Actor) -> None:
    """Only staff create pages (the New page form asks before it shows)."""
    if not access.can_create_pages(actor):
        raise Forbidden()


def create_page(actor: Actor, title: object, parent_id: object = 0) -> DraftView:
    """Staff create a page: visible to all staff, shared with no client, unpublished."""
    require_page_creator(actor)
    clean = _check_title(title)
    with session_scope() as session:
        parent = None
        if parent_id not in (0, "0", "", None):
            parent = access.access_page(session, actor, parent_id, access.EDIT)
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
    return drafts.get_draft(actor, page_id)


def archive_page(actor: Actor, page_id: object) -> None:
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
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


def set_home(actor: Actor, page_id: object, organization_id: object = 0) -> None:
    """Admins choose the home page, or an organization's own home page."""
    access.require(access.can_choose_home(actor), "Only administrators choose the home page.")
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
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
