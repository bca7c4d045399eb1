"""Transitional: the access layer moved to ``portal_app.access``. This module only keeps
the names the widget and file services still import while they are being moved into
their packages; it goes once they import ``portal_app.access``."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_

from portal_app.access import *  # noqa: F403
from portal_app.access import Actor, reads_words_of
from portal_app.models import PageGrant


def contribute_filter(actor: Actor, page_id: int) -> ColumnElement[bool]:
    return (
        (PageGrant.page_id == page_id)
        & (PageGrant.level == "contribute")
        & or_(
            PageGrant.user_id == actor.user_id,
            (PageGrant.organization_id == actor.organization_id)
            if actor.organization_id is not None
            else false(),
        )
    )


def sees_content_of(
    reader: Actor, author_id: int, author_role: str, author_organization_id: int | None
) -> bool:
    from types import SimpleNamespace

    author = SimpleNamespace(id=author_id, role=author_role, organization_id=author_organization_id)
    return reads_words_of(reader, author)
