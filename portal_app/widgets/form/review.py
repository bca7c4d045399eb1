"""Submissions under a form: a client's own (with their status), or for staff every
submission with search, a status filter, status changes and CSV export."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_parts import quiet_empty, row_count
from portal_app.widgets.form.actions import SubmissionValue
from portal_app.widgets.form.state import ALL, FormState

STATUS_COLORS = (
    ("Pending", "amber"),
    ("Reviewing", "blue"),
    ("Accepted", "green"),
    ("Rejected", "red"),
)

F = FormState


def _status_badge(status) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *STATUS_COLORS, "gray"),
        variant="soft",
        high_contrast=True,
        radius="full",
        data_testid="submission-status",
    )


def _answers(row) -> rx.Component:
    # ``row.values`` would be the object's values() method, not the field.
    answers = row["values"].to(list[SubmissionValue])
    return rx.el.dl(
        rx.foreach(
            answers,
            lambda value: rx.cond(
                value.text != "",
                rx.fragment(
                    rx.el.dt(rx.text(value.label, size="1", color_scheme="gray")),
                    rx.el.dd(
                        rx.cond(
                            value.file_url != "",
                            rx.link(
                                rx.icon("paperclip", size=12, aria_hidden="true"),
                                " ",
                                value.text,
                                href=value.file_url,
                                reload_document=True,
                                size="2",
                            ),
                            rx.text(
                                value.text,
                                size="2",
                                white_space="pre-wrap",
                                overflow_wrap="anywhere",
                            ),
                        ),
                        margin="0 0 0.5rem 0",
                    ),
                ),
            ),
        ),
        margin="0",
    )


def own_submissions(widget) -> rx.Component:
    rows = F.submissions[widget.id]
    return rx.cond(
        row_count(rows) > 0,
        rx.vstack(
            rx.heading("Your submissions", as_="h4", size="3"),
            rx.foreach(
                F.submissions[widget.id],
                lambda row: rx.box(
                    rx.hstack(
                        rx.text("Sent ", row.created, size="1", color_scheme="gray"),
                        rx.spacer(),
                        _status_badge(row.status),
                        align="center",
                        width="100%",
                    ),
                    _answers(row),
                    padding="0.75rem",
                    border=f"1px solid {rx.color('gray', 5)}",
                    border_radius="var(--radius-3)",
                    width="100%",
                    data_testid="own-submission",
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _submission_filters(widget) -> rx.Component:
    statuses = widget.config["statuses"].to(list[str])
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16, aria_hidden="true")),
            placeholder="Search submissions",
            aria_label="Search submissions",
            on_change=lambda text: F.search_submissions(widget.id, text).debounce(300),
            flex="1",
            min_width="12rem",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by status"),
            rx.select.content(
                rx.select.item("All statuses", value=ALL),
                rx.foreach(statuses, lambda status: rx.select.item(status, value=status)),
            ),
            value=rx.cond(F.status_filter[widget.id], F.status_filter[widget.id].to(str), ALL),
            on_change=lambda value: F.filter_status(widget.id, value),
        ),
        rx.button(
            rx.el.a(
                rx.icon("download", size=16, aria_hidden="true"),
                "Export CSV",
                href="/forms/" + F.page_id.to_string() + "/" + widget.id + "/submissions.csv",
                download="submissions.csv",
                # A file from the server, not a page of the app: no client-side routing.
                reload_document=True,
            ),
            as_child=True,
            variant="soft",
        ),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _submission_row(widget, row) -> rx.Component:
    statuses = widget.config["statuses"].to(list[str])
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row.submitter, weight="medium", size="2"),
                rx.text(row.created, size="1", color_scheme="gray"),
                spacing="0",
            ),
        ),
        rx.table.cell(_answers(row)),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(
                    aria_label="Status of the submission from " + row.submitter,
                    variant="soft",
                    color_scheme=rx.match(row.status, *STATUS_COLORS, "gray"),
                ),
                rx.select.content(
                    rx.foreach(statuses, lambda status: rx.select.item(status, value=status)),
                ),
                value=row.status,
                on_change=lambda value: F.change_status(widget.id, row.id, value),
            ),
        ),
        align="start",
        data_testid="submission-row",
    )


def submissions_table(widget) -> rx.Component:
    rows = F.submissions[widget.id]
    return rx.vstack(
        rx.heading("Submissions", as_="h4", size="3"),
        _submission_filters(widget),
        rx.cond(
            row_count(rows) > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("From"),
                            rx.table.column_header_cell("Answers"),
                            rx.table.column_header_cell("Status"),
                        ),
                    ),
                    rx.table.body(
                        rx.foreach(
                            F.submissions[widget.id], lambda row: _submission_row(widget, row)
                        )
                    ),
                    variant="surface",
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            quiet_empty(
                "inbox",
                "No submissions here",
                "Responses people send with this form appear here. Clear the filters to see all.",
            ),
        ),
        spacing="3",
        width="100%",
    )
