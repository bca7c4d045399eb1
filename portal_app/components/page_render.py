"""Rendering a page's sections, columns and widgets (published view and previews)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_ui import widget_view


def render_sections(sections) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            sections,
            lambda section: rx.grid(
                rx.foreach(
                    section.columns,
                    lambda column: rx.vstack(
                        rx.foreach(column.widgets, widget_view),
                        spacing="5",
                        width="100%",
                        min_width="0",
                    ),
                ),
                columns=rx.breakpoints(initial="1", md=section.columns.length().to_string()),
                gap="2rem",
                width="100%",
            ),
        ),
        spacing="6",
        width="100%",
    )
