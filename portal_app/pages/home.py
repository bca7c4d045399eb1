"""The home page every signed-in person can open."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import empty_state
from portal_app.components.people import person_card
from portal_app.components.shell import shell
from portal_app.pages.page_view import page_content
from portal_app.state.page_view import PageViewState
from portal_app.state.people import DirectoryState
from portal_app.state.session import SessionState


def _team() -> rx.Component:
    return rx.vstack(
        rx.heading(
            rx.cond(SessionState.sees_whole_firm, "People", "People you work with"),
            size="4",
            as_="h2",
        ),
        rx.cond(
            DirectoryState.people.length() > 0,
            rx.grid(
                rx.foreach(DirectoryState.people, person_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="3",
                width="100%",
            ),
            empty_state(
                "users",
                "Nobody here yet",
                "People you work with will appear here once they join the portal.",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _welcome() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Welcome, ", SessionState.me_name, size="5", as_="h2", id="welcome"),
            rx.text(
                rx.cond(
                    SessionState.may_open_settings,
                    "Manage the people and client organizations of your portal from Settings.",
                    rx.cond(
                        SessionState.sees_whole_firm,
                        "The pages you work on and the people you work with are all here.",
                        "This is your private space with us: everything shared with you is here.",
                    ),
                ),
                color_scheme="gray",
            ),
            rx.cond(
                SessionState.may_open_settings,
                rx.hstack(
                    rx.link(
                        rx.button(rx.icon("user-plus", size=16), "Invite someone"),
                        href="/settings/people",
                    ),
                    rx.link(
                        rx.button(
                            rx.icon("building-2", size=16), "Client organizations", variant="soft"
                        ),
                        href="/settings/clients",
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
            ),
            spacing="3",
        ),
        size="3",
        width="100%",
    )


def _home_content() -> rx.Component:
    return rx.cond(
        PageViewState.home_status == "page",
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(PageViewState.page.title, size="5", as_="h2"),
                    rx.spacer(),
                    rx.cond(
                        PageViewState.page.can_edit,
                        rx.link(
                            rx.button(rx.icon("pencil", size=14), "Edit", size="1", variant="soft"),
                            href="/editor/" + PageViewState.page.id.to_string(),
                        ),
                    ),
                    width="100%",
                    align="center",
                ),
                page_content(),
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
        ),
        rx.cond(
            SessionState.may_choose_home,
            rx.card(
                empty_state(
                    "house",
                    "No home page yet",
                    "Create a page and make it the home page: it's the first thing "
                    "everyone sees after signing in.",
                    rx.link(rx.button(rx.icon("plus", size=16), "New page"), href="/new-page"),
                ),
                width="100%",
            ),
        ),
    )


def home_page() -> rx.Component:
    return shell(
        "Home",
        "/",
        lambda: rx.vstack(_welcome(), _home_content(), _team(), spacing="6", width="100%"),
    )


def directory_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder="Search by name or e-mail",
                value=DirectoryState.search,
                on_change=DirectoryState.set_search.debounce(300),
                aria_label="Search people",
                width="100%",
                max_width="24rem",
            ),
            rx.cond(
                DirectoryState.people.length() > 0,
                rx.grid(
                    rx.foreach(DirectoryState.people, person_card),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="3",
                    width="100%",
                ),
                empty_state("search-x", "No one matches", "Try another name or clear the search."),
            ),
            spacing="4",
            width="100%",
        )

    return shell("People", "/people", content)
