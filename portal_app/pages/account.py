"""Account: one's own name, password and sessions."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import field_error, form_field
from portal_app.components.shell import shell
from portal_app.state.account import AccountState as S


def _password_error(field: str) -> rx.Var[str]:
    return rx.cond(S.password_error_field == field, S.password_error, "")


def account_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading("Profile", size="4", as_="h2"),
                        form_field(
                            "Name",
                            "account-name",
                            rx.input(
                                id="account-name",
                                name="name",
                                default_value=S.me_name,
                                required=True,
                                max_length=120,
                                width="100%",
                            ),
                            error=S.name_error,
                        ),
                        form_field(
                            "E-mail",
                            "account-email",
                            rx.input(
                                id="account-email",
                                name="email",
                                value=S.me_email,
                                read_only=True,
                                width="100%",
                            ),
                            hint="Ask an administrator to change your e-mail address.",
                        ),
                        rx.hstack(
                            rx.button("Save name", type="submit"), justify="end", width="100%"
                        ),
                        spacing="4",
                    ),
                    on_submit=S.save_name,
                ),
                size="3",
                width="100%",
            ),
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading("Password", size="4", as_="h2"),
                        form_field(
                            "Current password",
                            "current_password",
                            rx.input(
                                id="current_password",
                                name="current_password",
                                type="password",
                                required=True,
                                auto_complete="current-password",
                                width="100%",
                            ),
                            error=_password_error("current_password"),
                        ),
                        form_field(
                            "New password",
                            "new_password",
                            rx.input(
                                id="new_password",
                                name="new_password",
                                type="password",
                                required=True,
                                auto_complete="new-password",
                                width="100%",
                            ),
                            error=_password_error("password"),
                            hint="At least 12 characters. Your other sessions will be signed out.",
                        ),
                        rx.cond(S.password_error_field == "", field_error(S.password_error)),
                        rx.hstack(
                            rx.button(
                                rx.cond(S.password_busy, rx.spinner(size="2"), rx.fragment()),
                                "Change password",
                                type="submit",
                                disabled=S.password_busy,
                            ),
                            justify="end",
                            width="100%",
                        ),
                        spacing="4",
                    ),
                    on_submit=S.change_password,
                    reset_on_submit=False,
                ),
                size="3",
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.heading("Sessions", size="4", as_="h2"),
                    rx.text(
                        "Signed in on a shared or lost device? Sign out everywhere ends "
                        "every session of yours, this one included.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("monitor-x", size=16),
                            "Sign out everywhere",
                            variant="soft",
                            color_scheme="red",
                            on_click=S.sign_out_everywhere,
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                size="3",
                width="100%",
            ),
            spacing="5",
            width="100%",
            max_width="40rem",
        )

    return shell("Account", "/account", content)
