"""What the widgets' views share: the card a widget sits in, a quiet empty state, the
view-only note, and small helpers for rows and messages looked up by widget id.

Each view receives the widget as a Reflex Var (``id``, ``type``, ``config``) and reads
its rows from its state by widget id. Controls inside ``rx.foreach`` can't close over
loop variables in hoisted hooks (a form's submit handler), so every form carries its
widget id in a hidden field instead.
"""

from __future__ import annotations

import reflex as rx

from portal_app.state.page_view import PageViewState


def can_contribute() -> rx.Var[bool]:
    return PageViewState.page.can_contribute.to(bool)


def widget_card(widget, icon: str, title, *children: rx.Component, **props) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, aria_hidden="true", color=rx.color("accent", 11)),
                rx.heading(title, as_="h3", size="4"),
                spacing="2",
                align="center",
            ),
            *children,
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        id="widget-" + widget.id,
        **props,
    )


def quiet_empty(icon: str, title: str, text: str) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=20, aria_hidden="true"),
            width="2.5rem",
            height="2.5rem",
            flex_shrink="0",
            border_radius="full",
            background=rx.color("accent", 3),
            color=rx.color("accent", 11),
        ),
        rx.vstack(
            rx.text(title, weight="medium", size="2"),
            rx.text(text, color_scheme="gray", size="2"),
            spacing="0",
        ),
        spacing="3",
        align="center",
        padding="0.75rem",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
        width="100%",
    )


def view_only_note(text: str) -> rx.Component:
    return rx.callout(
        text, icon="eye", color_scheme="gray", variant="surface", size="1", width="100%"
    )


def row_count(rows) -> rx.Var[int]:
    """How many rows a list looked up by widget id holds: 0 before it is loaded."""
    return rx.cond(rows, rows.to(list).length(), 0)


def message_text(value) -> rx.Var[str]:
    """A message looked up by key: "" (not undefined) when there is none."""
    return rx.cond(value, value.to(str), "")


def hidden_input(name: str, value) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)
