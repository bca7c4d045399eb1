"""Drafts and publishing: every draft change is one checked operation against the
revision the editor last saw; publishing makes the draft the live version.

Rules enforced here on every call:
- only staff who see the page edit it (``access.access_page(..., access.EDIT)``);
- an edit based on an older draft revision is refused (``Conflict``), so two editors
  never silently overwrite each other;
- a draft change is one checked operation (``services.layouts``), never a layout the
  browser made up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Conflict, NotFound
from portal_app.ids import MAX_ID
from portal_app.models import Page, PageVersion, User
from portal_app.services import audit, layouts, subscriptions
from portal_app.services.links import portal_url
from portal_app.services.page_views import DraftView, VersionRow, sections_of, when


def draft_view(session: Session, page: Page, **extra: Any) -> DraftView:
    layout = layouts.load(page.draft_layout)
    assert page.id is not None
    _, published = access.published_layout(session, page)
    return DraftView(
        id=page.id,
        title=page.title,
        slug=page.slug,
        icon=page.icon,
        parent_id=page.parent_id or 0,
        revision=page.draft_revision,
        sections=sections_of(layout),
        published_version=page.published_version or 0,
        has_unpublished_changes=page.published_version is None or published != layout,
        updated=when(page.draft_updated_at),
        **extra,
    )


def get_draft(actor: Actor, page_id: object) -> DraftView:
    with session_scope() as session:
        return draft_view(session, access.access_page(session, actor, page_id, access.EDIT))


def edit_draft(
    actor: Actor, page_id: object, revision: object, operation: object, arguments: object
) -> DraftView:
    """Apply one editor operation to the draft. ``revision`` is the draft revision the
    editor last saw: if someone saved since, the change is refused with ``Conflict``."""
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
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
        return draft_view(session, page, **extra)


def publish(actor: Actor, page_id: object, revision: object) -> int:
    """Make the draft the live version; subscribers are told by e-mail."""
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
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
    subscriptions.notify_subscribers(
        the_id,
        exclude_user_id=actor.user_id,
        subject=f"{title} was updated",
        body=f"{actor.display_name} published a new version of “{title}”.\n\n"
        f"Open it: {portal_url('/pages/' + slug)}\n",
    )
    return number


def list_versions(actor: Actor, page_id: object) -> list[VersionRow]:
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
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
                created=when(v.created_at),
                note=v.note,
                live=v.number == page.published_version,
            )
            for v in rows
        ]


def restore_version(actor: Actor, page_id: object, number: object, revision: object) -> DraftView:
    """Bring an older version back into the draft (its title and every widget);
    publishing it makes it live again."""
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
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
        return draft_view(session, page)
