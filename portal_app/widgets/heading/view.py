"""How headings and dividers look on a published page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_ui import WidgetUI


def heading_view(widget) -> rx.Component:
    text = widget.config["text"].to(str)
    return rx.cond(
        widget.config["size"].to(str) == "medium",
        rx.heading(text, as_="h3", size="4"),
        rx.heading(text, as_="h2", size="6"),
    )


def divider_view(widget) -> rx.Component:
    return rx.separator(size="4", my="2")


heading_ui = WidgetUI(view=heading_view)
divider_ui = WidgetUI(view=divider_view)
