"""Search results: pages, documents and people the signed-in person may see."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import empty_state
from portal_app.components.shell import shell
from portal_app.state.search import SearchState as S


def _hit(hit) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(hit.icon, size=18, aria_hidden="true", flex_shrink="0"),
                rx.vstack(
                    rx.hstack(
                        rx.text(hit.title, weight="medium"),
                        rx.badge(
                            rx.match(
                                hit.kind, ("page", "Page"), ("document", "Document"), "Person"
                            ),
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            high_contrast=True,
                        ),
                        spacing="2",
                        align="center",
                    ),
                    rx.text(hit.snippet, size="2", color_scheme="gray"),
                    spacing="1",
                    min_width="0",
                ),
                spacing="3",
                align="start",
            ),
            width="100%",
        ),
        href=hit.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        data_testid="search-hit",
    )


def search_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            rx.form(
                rx.hstack(
                    rx.input(
                        rx.input.slot(rx.icon("search", size=16)),
                        name="q",
                        default_value=S.query,
                        placeholder="Search pages, documents and people",
                        aria_label="Search",
                        width="100%",
                        auto_focus=True,
                    ),
                    rx.button("Search", type="submit"),
                    width="100%",
                ),
                on_submit=S.go_search,
                reset_on_submit=False,
                width="100%",
            ),
            rx.cond(
                S.hits.length() > 0,
                rx.vstack(rx.foreach(S.hits, _hit), spacing="2", width="100%"),
                rx.cond(
                    S.query != "",
                    empty_state(
                        "search-x",
                        "Nothing found",
                        "No page or person you can see matches that. Try other words.",
                    ),
                    empty_state(
                        "search",
                        "Search the portal",
                        "Find pages shared with you and the people you work with.",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
            max_width="48rem",
        )

    return shell("Search", "/search", content)
