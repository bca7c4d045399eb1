"""/dropsite: a client sends files to the firm (their own organization's Received
area), and so does the guest of a dropsite link (that link's organization)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.dropsite import drop_zone
from portal_app.components.shell import shell
from portal_app.state.dropsite import PAGE_KEY
from portal_app.state.dropsite import DropsitePageState as S


def _intro() -> rx.Component:
    screen = S.screens[PAGE_KEY]
    return rx.cond(
        screen & (screen.mode.to(str) == "open"),
        rx.text(
            "Send documents to ",
            rx.text.strong(screen.organization_name.to(str)),
            "'s team at ",
            S.portal_name,
            ". Only the team sees what you send; you won't see anyone else's files here.",
            size="2",
            color_scheme="gray",
        ),
    )


def dropsite_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.card(
            rx.vstack(_intro(), drop_zone(S, PAGE_KEY), spacing="4", width="100%"),
            size="3",
            width="100%",
            max_width="44rem",
        )

    return shell("Send files", "/dropsite", content)
