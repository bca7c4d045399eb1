"""New page: a title and where it goes in the tree; then the editor opens."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import form_field
from portal_app.components.shell import shell
from portal_app.state.page_admin import NewPageState as S
from portal_app.state.session import SessionState


def new_page_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.card(
            rx.form(
                rx.vstack(
                    rx.text(
                        "Pages start as drafts visible to staff only. Share them with "
                        "clients when they're ready.",
                        color_scheme="gray",
                        size="2",
                    ),
                    form_field(
                        "Title",
                        "page-title-input",
                        rx.input(
                            id="page-title-input",
                            name="title",
                            required=True,
                            max_length=200,
                            auto_focus=True,
                            width="100%",
                            placeholder="e.g. Client onboarding",
                        ),
                        error=S.error,
                    ),
                    form_field(
                        "Inside",
                        "page-parent",
                        rx.select.root(
                            rx.select.trigger(id="page-parent", width="100%"),
                            rx.select.content(
                                rx.select.item("Top level", value="0"),
                                rx.foreach(
                                    SessionState.nav_pages,
                                    lambda p: rx.select.item(p.title, value=p.id.to_string()),
                                ),
                            ),
                            value=S.parent_id,
                            on_change=S.set_parent_id,
                        ),
                    ),
                    rx.hstack(
                        rx.link(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button"),
                            href="/",
                        ),
                        rx.button("Create and edit", type="submit", id="create-page"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                ),
                on_submit=S.create,
            ),
            size="3",
            max_width="36rem",
            width="100%",
        )

    return shell("New page", "/new-page", content)
