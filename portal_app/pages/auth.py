"""Sign in, forgotten password, password reset and invitation pages."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import form_field
from portal_app.state.auth import AuthFormState


def _submit(form_id: str, url: str) -> list:
    return [
        AuthFormState.submitting,
        rx.call_script(
            f"window.portalSubmit('{form_id}', '{url}')", callback=AuthFormState.finished
        ),
    ]


def _card(title: str, subtitle: rx.Component | str, *body: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.hstack(
                rx.image(src="/logo.svg", alt="", width="36px", height="36px"),
                rx.heading(AuthFormState.portal_name, size="5"),
                spacing="2",
                align="center",
            ),
            rx.card(
                rx.vstack(
                    rx.heading(title, size="6", as_="h1"),
                    rx.text(subtitle, color_scheme="gray", size="2")
                    if isinstance(subtitle, str)
                    else subtitle,
                    *body,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
            ),
            spacing="5",
            align="center",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="1.5rem",
        background=rx.color("gray", 2),
        as_="main",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(
            AuthFormState.notice != "",
            rx.callout(
                AuthFormState.notice,
                icon="info",
                color_scheme="blue",
                size="1",
                role="status",
                width="100%",
            ),
        ),
        rx.cond(
            (AuthFormState.error != "") & (AuthFormState.error_field == ""),
            rx.callout(
                AuthFormState.error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                role="alert",
                id="form-error",
                width="100%",
            ),
        ),
    )


def _field_error(name: str) -> rx.Var[str]:
    return rx.cond(AuthFormState.error_field == name, AuthFormState.error, "")


def _password_input(field_id: str, autocomplete: str, **props) -> rx.Component:
    return rx.input(
        id=field_id,
        name="password",
        type="password",
        required=True,
        auto_complete=autocomplete,
        size="3",
        width="100%",
        **props,
    )


def _primary(label: str, busy_label: str) -> rx.Component:
    return rx.button(
        rx.cond(AuthFormState.busy, rx.spinner(size="2"), rx.fragment()),
        rx.cond(AuthFormState.busy, busy_label, label),
        type="submit",
        size="3",
        width="100%",
        disabled=AuthFormState.busy,
    )


def sign_in_page() -> rx.Component:
    return _card(
        "Sign in",
        "Welcome back. Sign in to see your shared pages and documents.",
        _messages(),
        rx.form(
            rx.vstack(
                form_field(
                    "E-mail",
                    "email",
                    rx.input(
                        id="email",
                        name="email",
                        type="email",
                        required=True,
                        auto_complete="username",
                        auto_focus=True,
                        size="3",
                        width="100%",
                    ),
                ),
                form_field("Password", "password", _password_input("password", "current-password")),
                rx.el.input(type="hidden", name="next", value=AuthFormState.next_path),
                _primary("Sign in", "Signing in…"),
                rx.link("Forgot your password?", href="/forgot", size="2"),
                spacing="4",
                width="100%",
            ),
            id="login-form",
            on_submit=_submit("login-form", "/auth/login"),
            width="100%",
        ),
    )


def forgot_page() -> rx.Component:
    return _card(
        "Reset your password",
        "Enter the e-mail address of your account and we'll send you a link to choose a "
        "new password.",
        _messages(),
        rx.form(
            rx.vstack(
                form_field(
                    "E-mail",
                    "email",
                    rx.input(
                        id="email",
                        name="email",
                        type="email",
                        required=True,
                        auto_complete="username",
                        auto_focus=True,
                        size="3",
                        width="100%",
                    ),
                ),
                _primary("Send reset link", "Sending…"),
                rx.link("Back to sign in", href="/login", size="2"),
                spacing="4",
                width="100%",
            ),
            id="forgot-form",
            on_submit=_submit("forgot-form", "/auth/forgot"),
            width="100%",
        ),
    )


def _link_problem() -> rx.Component:
    return rx.vstack(
        rx.callout(
            AuthFormState.link_error,
            icon="link-2-off",
            color_scheme="amber",
            role="alert",
            width="100%",
        ),
        rx.link("Go to sign in", href="/login", size="2"),
        spacing="3",
        width="100%",
    )


def reset_page() -> rx.Component:
    return _card(
        "Choose a new password",
        rx.cond(
            AuthFormState.reset_email != "",
            rx.text(
                "For ",
                rx.text.strong(AuthFormState.reset_email),
                ".",
                color_scheme="gray",
                size="2",
            ),
            rx.fragment(),
        ),
        rx.cond(
            AuthFormState.link_error != "",
            _link_problem(),
            rx.form(
                rx.vstack(
                    _messages(),
                    form_field(
                        "New password",
                        "password",
                        _password_input("password", "new-password", auto_focus=True),
                        error=_field_error("password"),
                        hint="At least 12 characters. A few unrelated words work well.",
                    ),
                    rx.el.input(type="hidden", name="token", value=AuthFormState.token),
                    _primary("Save password and sign in", "Saving…"),
                    spacing="4",
                    width="100%",
                ),
                id="reset-form",
                on_submit=_submit("reset-form", "/auth/reset"),
                width="100%",
            ),
        ),
    )


def invitation_page() -> rx.Component:
    return _card(
        "Accept your invitation",
        rx.cond(
            AuthFormState.invite_organization != "",
            rx.text(
                AuthFormState.invite_inviter,
                " invited you to join as a member of ",
                rx.text.strong(AuthFormState.invite_organization),
                ".",
                color_scheme="gray",
                size="2",
            ),
            rx.text(
                AuthFormState.invite_inviter,
                " invited you to the portal.",
                color_scheme="gray",
                size="2",
            ),
        ),
        rx.cond(
            AuthFormState.link_error != "",
            _link_problem(),
            rx.form(
                rx.vstack(
                    rx.cond(
                        AuthFormState.invite_message != "",
                        rx.blockquote(AuthFormState.invite_message, size="2"),
                    ),
                    _messages(),
                    form_field(
                        "E-mail",
                        "invite-email",
                        rx.input(
                            id="invite-email",
                            value=AuthFormState.invite_email,
                            read_only=True,
                            size="3",
                            width="100%",
                            auto_complete="username",
                        ),
                    ),
                    form_field(
                        "Your name",
                        "name",
                        rx.input(
                            id="name",
                            name="name",
                            required=True,
                            auto_focus=True,
                            auto_complete="name",
                            size="3",
                            width="100%",
                        ),
                        error=_field_error("name"),
                    ),
                    form_field(
                        "Choose a password",
                        "password",
                        _password_input("password", "new-password"),
                        error=_field_error("password"),
                        hint="At least 12 characters. A few unrelated words work well.",
                    ),
                    rx.el.input(type="hidden", name="token", value=AuthFormState.token),
                    _primary("Create my account", "Creating your account…"),
                    spacing="4",
                    width="100%",
                ),
                id="invite-form",
                on_submit=_submit("invite-form", "/auth/invitation"),
                width="100%",
            ),
        ),
    )
