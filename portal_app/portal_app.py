"""The Reflex app: pages, HTTP routes and start-up (the theme is set in rxconfig.py)."""

from __future__ import annotations

import reflex as rx
from starlette.applications import Starlette

from portal_app.api import auth as auth_routes
from portal_app.api.headers import security_headers
from portal_app.components.feedback import missing_panel
from portal_app.config import get_settings
from portal_app.pages.account import account_page
from portal_app.pages.auth import forgot_page, invitation_page, reset_page, sign_in_page
from portal_app.pages.home import directory_page, home_page
from portal_app.pages.outbox import outbox_page
from portal_app.pages.settings_clients import organization_page, settings_clients_page
from portal_app.pages.settings_people import settings_people_page
from portal_app.state.account import AccountState
from portal_app.state.auth import AuthFormState
from portal_app.state.organizations import ClientsState
from portal_app.state.outbox import OutboxState
from portal_app.state.people import DirectoryState, PeopleAdminState
from portal_app.state.session import SessionState

NAME = get_settings().portal_name


def not_found_page() -> rx.Component:
    return rx.box(
        missing_panel(),
        min_height="100vh",
        background=rx.color("gray", 2),
        as_="main",
        padding_top="10vh",
    )


app = rx.App(
    stylesheets=["/portal.css"],
    head_components=[
        rx.script(src="/portal.js"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
    html_lang="en",
    api_transformer=[Starlette(routes=auth_routes.routes), security_headers],
)

app.add_page(
    sign_in_page, route="/login", title=f"Sign in · {NAME}", on_load=AuthFormState.open_sign_in
)
app.add_page(
    forgot_page,
    route="/forgot",
    title=f"Reset your password · {NAME}",
    on_load=AuthFormState.open_forgot,
)
app.add_page(
    reset_page,
    route="/reset/[token]",
    title=f"Choose a new password · {NAME}",
    on_load=AuthFormState.open_reset,
)
app.add_page(
    invitation_page,
    route="/invite/[token]",
    title=f"Accept your invitation · {NAME}",
    on_load=AuthFormState.open_invitation,
)

app.add_page(
    home_page, route="/", title=NAME, on_load=[SessionState.open_page, DirectoryState.load]
)
app.add_page(
    directory_page,
    route="/people",
    title=f"People · {NAME}",
    on_load=[SessionState.open_page, DirectoryState.load],
)
app.add_page(account_page, route="/account", title=f"Account · {NAME}", on_load=AccountState.load)
app.add_page(
    settings_people_page,
    route="/settings/people",
    title=f"People · Settings · {NAME}",
    on_load=PeopleAdminState.load,
)
app.add_page(
    settings_clients_page,
    route="/settings/clients",
    title=f"Clients · Settings · {NAME}",
    on_load=ClientsState.load,
)
app.add_page(
    organization_page,
    route="/settings/clients/[organization_id]",
    title=f"Client · Settings · {NAME}",
    on_load=ClientsState.load_organization,
)
app.add_page(
    outbox_page,
    route="/settings/outbox",
    title=f"Outbox · Settings · {NAME}",
    on_load=OutboxState.load,
)
app.add_page(not_found_page, route="404", title=f"Not found · {NAME}")
