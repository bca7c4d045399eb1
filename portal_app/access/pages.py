"""Who may see, contribute to and edit a page, and which widget an action may touch.

Three kinds of answer, in the style of Zulip's ``access_stream_by_id`` family and
Wagtail's permission policies:

- ``access_page`` / ``access_page_by_slug`` / ``access_widget``: may this actor do X
  to this one page or widget? They raise the same ``NotFound`` whether the page is
  missing or hidden from the actor.
- ``visible_pages_filter(actor)``: which pages, as a SQL condition services add to
  their queries (navigation, search, lists and counts are bounded the same way).
- ``page_readers(session, page_id, user_ids)``: who among these people may read the
  page, in one query, for notification fan-out.

The rule is written once: the per-actor filter and the bulk answer are built from the
same parts (``_staff_rule``, ``_client_rule``) over either the actor's values or the
``user_account`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, literal, or_, true
from sqlmodel import Session, col, select

from portal_app.access.actors import Actor, can_edit_pages, works_on_drafts
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.ids import is_widget_id, parse_id
from portal_app.models import Page, PageGrant, PageStaffAccess, PageVersion, Role, User
from portal_app.models.pages import load_layout

PAGE_NOT_FOUND = "This page doesn't exist or isn't shared with you."
WIDGET_NOT_FOUND = "That widget isn't on this page."
VIEW, CONTRIBUTE, EDIT = "view", "contribute", "edit"


# --- the rule, in parts --------------------------------------------------------------


def _live() -> ColumnElement[bool]:
    return col(Page.archived).is_(False)


def _staff_rule(user_id: Any) -> ColumnElement[bool]:
    """Regular staff: pages open to all staff, and restricted pages listing them."""
    listed = exists().where(PageStaffAccess.page_id == Page.id, PageStaffAccess.user_id == user_id)
    return or_(Page.staff_access == "all", listed)


def _client_rule(user_id: Any, organization_id: Any) -> ColumnElement[bool]:
    """Clients: published pages only — the home page, their organization's own home
    page, and pages granted to them or their organization."""
    granted = exists().where(
        PageGrant.page_id == Page.id,
        or_(
            PageGrant.user_id == user_id,
            and_(organization_id.is_not(None), PageGrant.organization_id == organization_id),
        ),
    )
    return col(Page.published_version).is_not(None) & or_(
        granted,
        col(Page.is_home).is_(True),
        and_(organization_id.is_not(None), Page.home_organization_id == organization_id),
    )


def _guest_rule(actor: Actor) -> ColumnElement[bool]:
    """A guest opens exactly the one published page their share is for."""
    if actor.scope is None or actor.scope[0] != "page":
        return false()
    return (Page.id == actor.scope[1]) & col(Page.published_version).is_not(None)


def visible_pages_filter(actor: Actor) -> ColumnElement[bool]:
    """Pages ``actor`` may open. Admins: every live page. Staff: ``_staff_rule``.
    Clients: ``_client_rule``. Guests: their one page."""
    if actor.is_admin:
        rule: ColumnElement[bool] = true()
    elif actor.is_staff:
        rule = _staff_rule(actor.user_id)
    elif actor.is_guest:
        rule = _guest_rule(actor)
    else:
        rule = _client_rule(literal(actor.user_id), literal(actor.organization_id))
    return _live() & rule


def _readers_rule() -> ColumnElement[bool]:
    """The same rule over the ``user_account`` columns (for many readers at once)."""
    return _live() & or_(
        User.role == Role.ADMIN,
        (User.role == Role.STAFF) & _staff_rule(User.id),
        (User.role == Role.LIMITED) & _client_rule(User.id, col(User.organization_id)),
    )


def page_readers(session: Session, page_id: int, user_ids: set[int]) -> list[User]:
    """The active people among ``user_ids`` who may read page ``page_id``: one query,
    whatever their number."""
    if not user_ids:
        return []
    return list(
        session.exec(
            select(User)
            .join(Page, Page.id == page_id)
            .where(col(User.id).in_(user_ids), col(User.active).is_(True), _readers_rule())
        ).all()
    )


def may_contribute(session: Session, actor: Actor, page: Page) -> bool:
    """Staff may always add to pages they see; a client needs a "contribute" grant to
    them or their organization; a guest needs a contributing share to this page."""
    if works_on_drafts(actor):
        return True
    if actor.is_guest:
        return actor.share_contributes and actor.scope == ("page", page.id)
    if not actor.is_client:
        return False
    organization = actor.organization_id
    return (
        session.exec(
            select(PageGrant.id).where(
                PageGrant.page_id == page.id,
                PageGrant.level == CONTRIBUTE,
                or_(
                    PageGrant.user_id == actor.user_id,
                    PageGrant.organization_id == organization
                    if organization is not None
                    else false(),
                ),
            )
        ).first()
        is not None
    )


# --- one page ------------------------------------------------------------------------


def access_page(session: Session, actor: Actor, page_id: object, need: str = VIEW) -> Page:
    """The page ``page_id`` if ``actor`` may ``need`` it ("view", "contribute" or
    "edit"). Missing and hidden pages raise the same ``NotFound``; a page the actor
    sees but may only view raises ``Forbidden`` for "contribute"."""
    if need == EDIT and not can_edit_pages(actor):
        raise NotFound(PAGE_NOT_FOUND)
    try:
        wanted = parse_id(page_id)
    except NotFound as exc:  # a malformed id reads exactly like a hidden page
        raise NotFound(PAGE_NOT_FOUND) from exc
    page = session.exec(select(Page).where(Page.id == wanted, visible_pages_filter(actor))).first()
    if page is None:
        raise NotFound(PAGE_NOT_FOUND)
    if need == CONTRIBUTE and not may_contribute(session, actor, page):
        raise Forbidden("This page is view-only for you.")
    return page


def access_page_by_slug(session: Session, actor: Actor, slug: object) -> Page:
    if not isinstance(slug, str) or not slug or len(slug) > 120:
        raise NotFound(PAGE_NOT_FOUND)
    page = session.exec(select(Page).where(Page.slug == slug, visible_pages_filter(actor))).first()
    if page is None:
        raise NotFound(PAGE_NOT_FOUND)
    return page


def published_layout(session: Session, page: Page) -> tuple[int, dict[str, Any]]:
    """(version number, layout) of the live version; (0, empty) when unpublished."""
    if page.published_version is None:
        return 0, {"sections": [], "widgets": {}}
    version = session.exec(
        select(PageVersion).where(
            PageVersion.page_id == page.id, PageVersion.number == page.published_version
        )
    ).one()
    return version.number, load_layout(version.layout)


@dataclass(frozen=True)
class WidgetAccess:
    page: Page
    widget_id: str
    type_name: str
    config: dict[str, Any]
    may_contribute: bool


def access_widget(
    session: Session,
    actor: Actor,
    page_id: object,
    widget_id: object,
    need: str = VIEW,
    type_name: str | None = None,
) -> WidgetAccess:
    """A widget an action may touch: on a page ``actor`` sees, on its live version
    (staff: or on the draft), of ``type_name`` when given; with ``need="contribute"``
    the actor must also be allowed to contribute."""
    if not is_widget_id(widget_id):
        raise Invalid(WIDGET_NOT_FOUND)
    assert isinstance(widget_id, str)
    page = access_page(session, actor, page_id)
    _, layout = published_layout(session, page)
    if widget_id not in layout["widgets"] and works_on_drafts(actor):
        layout = load_layout(page.draft_layout)
    widget = layout["widgets"].get(widget_id)
    if widget is None or (type_name is not None and widget["type"] != type_name):
        raise Invalid(WIDGET_NOT_FOUND)
    contributor = may_contribute(session, actor, page)
    if need == CONTRIBUTE and not contributor:
        raise Forbidden("This page is view-only for you.")
    return WidgetAccess(page, widget_id, widget["type"], widget["config"], contributor)
