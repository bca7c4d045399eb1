"""How widget types look and what live data they load: the UI registry.

Every type's UI is a ``WidgetUI`` registered in the ``portal_app.widget_ui`` entry point
group under the type's name (Portal's built-ins in its own pyproject.toml, plugins in
theirs). A ``WidgetUI`` holds the view function and, for types with live data
(comments, submissions, files...), the Reflex state whose
``load_for_page(page_id, widget_ids)`` handler loads it. The page's on_load asks this
registry which states to load for which widgets, so no type name is written here.

The pure types (``portal_app.widgets.registry``) never import this module: services
stay free of Reflex.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

import reflex as rx

from portal_app.services.pages import PageView
from portal_app.state.page_view import PageViewState
from portal_app.state.session import SessionState
from portal_app.widgets.registry import widget_types

ENTRY_POINT_GROUP = "portal_app.widget_ui"
log = logging.getLogger("portal.widgets")


@dataclass(frozen=True)
class WidgetUI:
    """A widget type's UI. ``view(widget)`` renders a published widget from a Reflex Var
    with ``id``, ``type`` and ``config`` (a dict); ``state``, when given, is a Reflex
    state with a ``load_for_page(page_id: int, widget_ids: list[str])`` event handler."""

    view: Callable[[Any], rx.Component]
    state: type[rx.State] | None = None


def _installed() -> dict[str, WidgetUI]:
    found: dict[str, WidgetUI] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception:  # noqa: BLE001  (a broken plugin must not take the portal down)
            log.exception("Widget UI %s could not be loaded", entry.value)
            continue
        if not isinstance(loaded, WidgetUI):
            log.error("Ignoring widget UI %s: not a WidgetUI", entry.value)
        elif entry.name in found:
            log.error("Ignoring widget UI %s: %r already has one", entry.value, entry.name)
        else:
            found[entry.name] = loaded
    return found


@lru_cache(maxsize=1)
def widget_uis() -> dict[str, WidgetUI]:
    """The UI of every known type, by type name. A type whose plugin ships no UI entry
    but still has a ``view`` method (the older one-class plugin form) keeps working."""
    installed = _installed()
    uis: dict[str, WidgetUI] = {}
    for name, widget_type in widget_types().items():
        if name in installed:
            uis[name] = installed[name]
        elif callable(getattr(widget_type, "view", None)):
            uis[name] = WidgetUI(view=widget_type.view)  # type: ignore[attr-defined]
        else:
            log.error("Widget type %r has no UI: its widgets show a placeholder", name)
    return uis


def widget_view(widget) -> rx.Component:
    """Every installed type's view, chosen by the widget's type name."""
    cases = [(name, ui.view(widget)) for name, ui in widget_uis().items()]
    return rx.box(
        rx.match(
            widget.type,
            *cases,
            rx.text("This content can't be shown.", color_scheme="gray", size="2"),
        ),
        data_widget_type=widget.type,
        data_testid="widget",
        width="100%",
    )


def widget_loaders(page: PageView | None) -> list[Any]:
    """The events that load what the page's widgets show (each type with a state gets
    the ids of its widgets on the page); return them from the page's load handler."""
    if page is None:
        return []
    ids: dict[str, list[str]] = {}
    for section in page.sections:
        for column in section.columns:
            for widget in column.widgets:
                ids.setdefault(widget.type, []).append(widget.id)
    return [
        ui.state.load_for_page(page.id, ids.get(name, []))  # type: ignore[attr-defined]
        for name, ui in widget_uis().items()
        if ui.state is not None
    ]


class PageWidgetsState(SessionState):
    """Chain ``load_for_viewed_page`` after ``PageViewState.load`` (or ``load_home``)."""

    @rx.event
    async def load_for_viewed_page(self):
        viewed = await self.get_state(PageViewState)
        return widget_loaders(viewed.page)
