"""Rendering a page's sections, columns and widgets (published view and previews)."""

from __future__ import annotations

import reflex as rx

from portal_app.widgets.registry import widget_types


def widget_view(widget) -> rx.Component:
    """Every installed type's view, chosen by the widget's type name."""
    cases = [(name, widget_type.view(widget)) for name, widget_type in widget_types().items()]
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
