"""Who may create and manage shares (links that open one item for people outside)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from portal_app.access.actors import Actor
from portal_app.access.pages import visible_pages_filter
from portal_app.models import Page, Share

SHARE_NOT_FOUND = "This share doesn't exist or isn't yours to manage."


def can_share(actor: Actor) -> bool:
    """Staff share the items they may see; clients and guests never create links."""
    return actor.is_staff


def can_set_sharing_policy(actor: Actor) -> bool:
    return actor.is_admin


def visible_shares_filter(actor: Actor) -> ColumnElement[bool]:
    """Shares ``actor`` may see and manage: admins all; staff those of items on pages
    they may see, and of every organization's documents and dropsite (staff see every
    organization); nobody else any."""
    if actor.is_admin:
        return true()
    if not can_share(actor):
        return false()
    return or_(
        Share.page_id.in_(select(Page.id).where(visible_pages_filter(actor))),  # type: ignore[union-attr]
        Share.organization_id.is_not(None),  # type: ignore[union-attr]
    )
