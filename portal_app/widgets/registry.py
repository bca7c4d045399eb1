"""Every widget type the portal knows: the built-in ones, then those installed through
the ``portal_app.widgets`` entry point group (loaded at start-up, so a newly installed
type appears in the palette after install and rebuild)."""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import entry_points

from portal_app.errors import Invalid
from portal_app.widgets.base import WidgetType

ENTRY_POINT_GROUP = "portal_app.widgets"
log = logging.getLogger("portal.widgets")


def _builtin_types() -> list[WidgetType]:
    from portal_app.widgets import (
        attachments,
        discussion,
        form,
        heading,
        links,
        media,
        rich_text,
    )

    return [
        rich_text.RichText(),
        heading.Heading(),
        heading.Divider(),
        attachments.Attachments(),
        media.Media(),
        discussion.Discussion(),
        form.Form(),
        links.Links(),
    ]


def _installed_types() -> list[WidgetType]:
    found: list[WidgetType] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
            found.append(loaded() if isinstance(loaded, type) else loaded)
        except Exception:  # noqa: BLE001  (a broken plugin must not take the portal down)
            log.exception("Widget plugin %s could not be loaded", entry.value)
    return found


@lru_cache(maxsize=1)
def widget_types() -> dict[str, WidgetType]:
    types: dict[str, WidgetType] = {}
    for widget_type in [*_builtin_types(), *_installed_types()]:
        if not isinstance(widget_type, WidgetType):
            log.error("Ignoring widget plugin %r: not a WidgetType", widget_type)
            continue
        if widget_type.name in types:
            log.error("Ignoring widget plugin %r: the name is taken", widget_type.name)
            continue
        types[widget_type.name] = widget_type
    return types


def get_type(name: object) -> WidgetType:
    """The type called ``name``; unknown names (say, a forged layout) are refused."""
    if isinstance(name, str) and name in widget_types():
        return widget_types()[name]
    raise Invalid("That kind of widget doesn't exist.")
