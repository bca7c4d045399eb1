"""How a checklist looks: one checkbox per item, ticked as this reader left it."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_parts import can_contribute, view_only_note, widget_card
from portal_app.components.widget_ui import WidgetUI
from portal_checklist.state import ChecklistState


def _item(widget, item) -> rx.Component:
    ticks = ChecklistState.ticked[widget.id]
    ticked = rx.cond(ticks, ticks.to(list[str]).contains(item), False)
    return rx.el.li(
        rx.checkbox(
            item,
            checked=ticked,
            on_change=lambda value: ChecklistState.tick(widget.id, item, value),
            disabled=~can_contribute(),
            size="2",
        ),
        data_testid="checklist-item",
    )


def checklist_view(widget) -> rx.Component:
    items = widget.config["items"].to(list[str])
    return widget_card(
        widget,
        "list-checks",
        widget.config["title"].to(str),
        rx.el.ul(
            rx.foreach(items, lambda item: _item(widget, item)),
            aria_label="Items",
            display="flex",
            flex_direction="column",
            gap="0.75rem",
            list_style_type="none",
            margin="0",
            padding="0",
        ),
        rx.cond(
            can_contribute(),
            rx.text("Only you see your ticks.", size="1", color_scheme="gray"),
            view_only_note("This page is view-only for you, so you can't tick items."),
        ),
        data_testid="checklist",
    )


ui = WidgetUI(view=checklist_view, state=ChecklistState)
