"""How a list of links looks on a published page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_ui import WidgetUI


def links_view(widget) -> rx.Component:
    items = widget.config["items"].to(list[dict[str, str]])
    return rx.vstack(
        rx.cond(
            widget.config["title"].to(str) != "",
            rx.heading(widget.config["title"].to(str), as_="h3", size="4"),
        ),
        rx.cond(
            items.length() > 0,
            rx.el.ul(
                rx.foreach(
                    items,
                    lambda item: rx.el.li(
                        rx.link(
                            rx.hstack(
                                rx.icon("external-link", size=14, aria_hidden="true"),
                                rx.text(item["label"]),
                                spacing="2",
                                align="center",
                            ),
                            href=item["url"],
                            is_external=True,
                        ),
                        margin_y="0.25rem",
                    ),
                ),
                list_style_type="none",
                padding="0",
                margin="0",
            ),
            rx.text("No links yet.", color_scheme="gray", size="2"),
        ),
        spacing="2",
        width="100%",
    )


ui = WidgetUI(view=links_view)
