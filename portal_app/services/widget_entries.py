"""One person's own data on one widget (``widget_entry``), for widget types and plugins.

Rules enforced here on every call: the actor must reach the widget
(``widget_target``: page visible, widget live, of the caller's type; writing needs
the page's contribute right), and a person only ever reads and writes their own
entry. The data is JSON the widget type defines (a dict or list, at most 64 KB).
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Invalid
from portal_app.models import WidgetEntry
from portal_app.services.widget_targets import widget_target

MAX_ENTRY_BYTES = 64 * 1024


def own_entry(actor: Actor, page_id: object, widget_id: object, type_name: str) -> Any:
    """``actor``'s own data on the widget (None when they have none yet)."""
    target = widget_target(actor, page_id, widget_id, type_name)
    with session_scope() as session:
        entry = session.exec(
            select(WidgetEntry).where(
                WidgetEntry.page_id == target.page.id,
                WidgetEntry.widget_id == target.widget_id,
                WidgetEntry.person_id == actor.user_id,
            )
        ).first()
        return json.loads(entry.data) if entry is not None else None


def save_own_entry(
    actor: Actor, page_id: object, widget_id: object, type_name: str, data: Any
) -> None:
    """Replace ``actor``'s own data on the widget; needs the page's contribute right."""
    target = widget_target(actor, page_id, widget_id, type_name, contributing=True)
    if not isinstance(data, dict | list):
        raise Invalid("This could not be saved. Reload the page.")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_ENTRY_BYTES:
        raise Invalid("This is too much to save here.")
    assert target.page.id is not None
    with session_scope() as session:
        entry = session.exec(
            select(WidgetEntry).where(
                WidgetEntry.page_id == target.page.id,
                WidgetEntry.widget_id == target.widget_id,
                WidgetEntry.person_id == actor.user_id,
            )
        ).first()
        if entry is None:
            entry = WidgetEntry(
                page_id=target.page.id, widget_id=target.widget_id, person_id=actor.user_id
            )
        entry.data, entry.updated_at = text, utcnow()
        session.add(entry)
