"""Settings » Outbox: every message the portal sent, for portals without a mail server."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import empty_state
from portal_app.components.shell import shell
from portal_app.state.outbox import OutboxState as S


def _message_row(message) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                message.subject, on_click=S.select(message.id), href="#message", weight="medium"
            ),
        ),
        rx.table.cell(message.recipient),
        rx.table.cell(message.sent, white_space="nowrap"),
        rx.table.cell(
            rx.match(
                message.status,
                ("failed", rx.badge("Failed", color_scheme="red", variant="soft")),
                ("sent", rx.badge("Sent by SMTP", color_scheme="green", variant="soft")),
                ("pending", rx.badge("Queued", color_scheme="amber", variant="soft")),
                ("sending", rx.badge("Sending", color_scheme="amber", variant="soft")),
                rx.badge("In outbox", color_scheme="gray", variant="soft"),
            ),
        ),
        align="center",
    )


def outbox_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            rx.text(
                "With no mail server configured (PORTAL_SMTP_HOST), the portal keeps its "
                "messages here and in the server log. One-time links (invitations, "
                "password resets) are hidden here so that no one can use another "
                "person's link; the server log keeps the working copy for the operator.",
                color_scheme="gray",
                size="2",
            ),
            rx.cond(
                S.messages.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Subject"),
                                rx.table.column_header_cell("To"),
                                rx.table.column_header_cell("Sent"),
                                rx.table.column_header_cell("Delivery"),
                            ),
                        ),
                        rx.table.body(rx.foreach(S.messages, _message_row)),
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                empty_state(
                    "inbox",
                    "No mail yet",
                    "Invitations and password reset messages appear here once sent.",
                ),
            ),
            rx.cond(
                S.selected,
                rx.card(
                    rx.vstack(
                        rx.heading(S.selected.subject, size="4", as_="h2"),
                        rx.text(
                            "To ",
                            S.selected.recipient,
                            " · ",
                            S.selected.sent,
                            size="1",
                            color_scheme="gray",
                        ),
                        rx.separator(),
                        rx.text(
                            S.selected.body,
                            white_space="pre-wrap",
                            size="2",
                            word_break="break-word",
                        ),
                        spacing="3",
                    ),
                    id="message",
                    width="100%",
                ),
            ),
            spacing="5",
            width="100%",
        )

    return shell("Outbox", "/settings/outbox", content)
