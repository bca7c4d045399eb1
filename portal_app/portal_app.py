"""The Reflex app: pages, HTTP routes and start-up (the theme is set in rxconfig.py)."""

from __future__ import annotations

import asyncio
import contextlib

import reflex as rx
from starlette.applications import Starlette

from portal_app import worker
from portal_app.api import auth as auth_routes
from portal_app.api import files as file_routes
from portal_app.api import share_exports as share_export_routes
from portal_app.api import sharing as share_routes
from portal_app.api import transfers as transfer_routes
from portal_app.api.headers import security_headers
from portal_app.components.feedback import missing_panel
from portal_app.components.widget_ui import PageWidgetsState
from portal_app.config import get_settings
from portal_app.pages.account import account_page
from portal_app.pages.auth import forgot_page, invitation_page, reset_page, sign_in_page
from portal_app.pages.documents import documents_page
from portal_app.pages.dropsite import dropsite_page
from portal_app.pages.editor import editor_page
from portal_app.pages.home import directory_page, home_page
from portal_app.pages.new_page import new_page_page
from portal_app.pages.outbox import outbox_page
from portal_app.pages.page_view import page_view_page
from portal_app.pages.search import search_page
from portal_app.pages.settings_clients import organization_page, settings_clients_page
from portal_app.pages.settings_people import settings_people_page
from portal_app.pages.settings_sharing import settings_sharing_page
from portal_app.state import event_guard
from portal_app.state.account import AccountState
from portal_app.state.auth import AuthFormState
from portal_app.state.documents import DocumentsState
from portal_app.state.dropsite import DropsitePageState
from portal_app.state.editor import EditorState
from portal_app.state.identity import IdentityGuard
from portal_app.state.organizations import ClientsState
from portal_app.state.outbox import OutboxState
from portal_app.state.page_admin import NewPageState
from portal_app.state.page_view import PageViewState
from portal_app.state.people import DirectoryState, PeopleAdminState
from portal_app.state.search import SearchState
from portal_app.state.session import SessionState
from portal_app.state.sharing_list import SharedListState

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
        rx.script(src="/dropsite.js"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
    html_lang="en",
    api_transformer=[
        Starlette(
            routes=[
                *auth_routes.routes,
                *file_routes.routes,
                *transfer_routes.routes,
                *share_routes.routes,
                *share_export_routes.routes,
            ]
        ),
        security_headers,
    ],
)

# Every frame from a browser is checked at the door, before Reflex handles it: what no
# page of the portal could have sent is dropped (state/event_guard.py).
event_guard.install(app)
# Before any event (the first hydrate included): a tab's states belong to one person.
app.add_middleware(IdentityGuard())


@app.register_lifespan_task
@contextlib.asynccontextmanager
async def mail_worker():
    """This backend process's share of the delivery worker (see portal_app/worker.py)."""
    await asyncio.to_thread(worker.start_in_process)
    try:
        yield
    finally:
        await asyncio.to_thread(worker.stop_in_process)


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


def signed_in(component, route: str, title: str, *loaders) -> None:
    """A page for signed-in people: the session (and navigation) resolves first."""
    app.add_page(
        component,
        route=route,
        title=f"{title} · {NAME}" if title else NAME,
        on_load=[SessionState.open_page, *loaders],
    )


signed_in(
    home_page,
    "/",
    "",
    PageViewState.load_home,
    PageWidgetsState.load_for_viewed_page,
    DirectoryState.load,
)
signed_in(directory_page, "/people", "People", DirectoryState.load)
signed_in(
    page_view_page,
    "/pages/[slug]",
    "Page",
    PageViewState.load,
    PageWidgetsState.load_for_viewed_page,
)
signed_in(new_page_page, "/new-page", "New page", NewPageState.load)
signed_in(editor_page, "/editor/[page_id]", "Editor", EditorState.load)
signed_in(account_page, "/account", "Account", AccountState.load)
signed_in(search_page, "/search", "Search", SearchState.load)
signed_in(dropsite_page, "/dropsite", "Send files", DropsitePageState.load)
signed_in(documents_page, "/documents", "Documents", DocumentsState.load)
signed_in(settings_people_page, "/settings/people", "People · Settings", PeopleAdminState.load)
signed_in(settings_clients_page, "/settings/clients", "Clients · Settings", ClientsState.load)
signed_in(
    organization_page,
    "/settings/clients/[organization_id]",
    "Client · Settings",
    ClientsState.load_organization,
)
signed_in(settings_sharing_page, "/settings/sharing", "Sharing · Settings", SharedListState.load)
signed_in(outbox_page, "/settings/outbox", "Outbox · Settings", OutboxState.load)
app.add_page(not_found_page, route="404", title=f"Not found · {NAME}")
