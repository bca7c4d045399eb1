"""Empty, error and notice panels used across pages."""

from __future__ import annotations

import reflex as rx


def empty_state(
    icon: str, title: str, text: str, action: rx.Component | None = None
) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=28, aria_hidden="true"),
                width="3.5rem",
                height="3.5rem",
                border_radius="full",
                background=rx.color("accent", 3),
                color=rx.color("accent", 11),
            ),
            rx.heading(title, size="4", as_="h2"),
            rx.text(text, color_scheme="gray", text_align="center", max_width="28rem"),
            action if action is not None else rx.fragment(),
            align="center",
            spacing="3",
        ),
        padding="3rem 1rem",
        width="100%",
    )


def _panel(
    code: str, title: str, text: str, offer_home: rx.Var[bool] | bool = True
) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.text(code, size="1", weight="medium", color_scheme="gray"),
                rx.heading(title, size="6", as_="h1"),
                rx.text(text, color_scheme="gray"),
                rx.cond(
                    offer_home,
                    rx.link(rx.button("Go to the home page", variant="soft"), href="/"),
                ),
                spacing="3",
                align="start",
            ),
            max_width="28rem",
            width="100%",
            size="3",
        ),
        padding="3rem 1rem",
        width="100%",
    )


def forbidden_panel() -> rx.Component:
    return _panel(
        "403 · Not allowed",
        "You don't have access to this page",
        "Your account can't open this part of the portal. If you need it, ask your "
        "portal administrator.",
    )


def missing_panel(offer_home: rx.Var[bool] | bool = True) -> rx.Component:
    """``offer_home``: False for a guest, whose one page is the only one they have."""
    return _panel(
        "404 · Not found",
        "We couldn't find that page",
        "The link may be mistyped, or the page was moved or isn't shared with you.",
        offer_home,
    )


def field_error(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, size="1", color_scheme="red", role="alert"),
    )


def form_field(
    label: str,
    field_id: str,
    control: rx.Component,
    error: rx.Var[str] | None = None,
    hint: str = "",
) -> rx.Component:
    """Label above the control, hint and the reason it failed below (STYLE.md)."""
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        control,
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        field_error(error) if error is not None else rx.fragment(),
        spacing="1",
        width="100%",
        align="stretch",
    )


def confirm_dialog(
    title,
    description: rx.Component,
    confirm_label: str,
    on_confirm,
    open,  # noqa: A002  (the dialog's own prop name)
    on_cancel,
    danger: bool = True,
) -> rx.Component:
    """Asks before a destructive action, naming what will be lost (STYLE.md)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        confirm_label,
                        color_scheme="red" if danger else "indigo",
                        high_contrast=danger,
                        on_click=on_confirm,
                    ),
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=open,
        on_open_change=lambda _open: on_cancel,
    )


def confirm_row_delete(
    state, widget, title, description: rx.Component, confirm_label: str
) -> rx.Component:
    """The delete confirmation of a widget state with ``state.confirm.ConfirmsRowDelete``:
    one under each widget, open while that widget's row is being asked about."""
    return confirm_dialog(
        title,
        description,
        confirm_label,
        state.confirm_delete,
        (state.deleting_id > 0) & (state.deleting_widget == widget.id),
        state.cancel_delete(),
    )
