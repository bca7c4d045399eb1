"""Every widget type the portal knows, found one way: the ``portal_app.widgets`` entry
point group. The built-in types are declared there by Portal's own pyproject.toml,
exactly like a plugin's (``examples/callout-widget``), so a newly installed type
appears in the palette after install and rebuild.

This registry holds the pure types only (no Reflex): services ask it. How a type looks
comes from the ``portal_app.widget_ui`` group, read by ``components/widget_ui.py``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import entry_points

from portal_app.errors import Invalid
from portal_app.widgets.base import WidgetType

ENTRY_POINT_GROUP = "portal_app.widgets"
log = logging.getLogger("portal.widgets")


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
    """Every type by name, in palette order (``palette_position``, then label)."""
    types: dict[str, WidgetType] = {}
    installed = _installed_types()
    installed.sort(
        key=lambda t: (getattr(t, "palette_position", 1000), str(getattr(t, "label", "")))
    )
    for widget_type in installed:
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
