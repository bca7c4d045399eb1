"""A published page, as the signed-in person may see it."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import empty_state
from portal_app.components.page_render import render_sections
from portal_app.components.shell import shell
from portal_app.state.page_view import PageViewState as S


def _page_actions() -> rx.Component:
    follow = rx.cond(
        S.page.subscribed,
        rx.button(
            rx.icon("bell-off", size=16),
            "Unfollow",
            variant="soft",
            color_scheme="gray",
            on_click=S.set_following(False),
            id="follow",
        ),
        rx.button(
            rx.icon("bell", size=16),
            "Follow",
            variant="soft",
            on_click=S.set_following(True),
            id="follow",
        ),
    )
    # A guest gets no mail from the portal beyond their link (nothing to follow) and
    # edits nothing: no actions at all.
    return rx.cond(
        S.is_guest,
        rx.fragment(),
        rx.hstack(
            follow,
            rx.cond(
                S.page.can_edit,
                rx.link(
                    rx.button(rx.icon("pencil", size=16), "Edit page"),
                    href="/editor/" + S.page.id.to_string(),
                ),
            ),
            spacing="2",
        ),
    )


def page_content() -> rx.Component:
    return rx.cond(
        S.page.version > 0,
        render_sections(S.page.sections),
        empty_state(
            "file-clock",
            "Not published yet",
            "This page has no published version. Open the editor to publish it.",
        ),
    )


def page_view_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            rx.hstack(
                rx.heading(S.page.title, size="7", as_="h1", id="page-title"),
                rx.spacer(),
                _page_actions(),
                align="center",
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
            page_content(),
            spacing="6",
            width="100%",
        )

    return shell("", "/pages", content)
