"""The widget an action works on, for widget packages and plugins: one call that checks
everything an action needs (``access.access_widget`` in its own unit of work)."""

from __future__ import annotations

from portal_app import access
from portal_app.access import Actor, WidgetAccess
from portal_app.db import session_scope


def widget_target(
    actor: Actor,
    page_id: object,
    widget_id: object,
    type_name: str | None = None,
    *,
    contributing: bool = False,
) -> WidgetAccess:
    """The widget ``widget_id`` on page ``page_id`` as ``actor`` may use it: the page is
    visible to them, the widget is on its live version (staff: or the draft) and of
    ``type_name``; with ``contributing`` they must also be allowed to contribute.
    Raises ``NotFound`` (page missing or hidden), ``Invalid`` (no such widget there) or
    ``Forbidden`` (view-only)."""
    need = access.CONTRIBUTE if contributing else access.VIEW
    with session_scope() as session:
        return access.access_widget(session, actor, page_id, widget_id, need, type_name)
