"""How an attachments widget looks on a published page: its files, staff's upload
button and the delete confirmation."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import confirm_row_delete
from portal_app.components.widget_parts import quiet_empty, row_count, widget_card
from portal_app.components.widget_ui import WidgetUI
from portal_app.state.session import SessionState
from portal_app.widgets.attachments.state import FilesState

A = FilesState


def _file_icon(row) -> rx.Component:
    kind = row.type_label.lower()

    def icon(name: str) -> rx.Component:
        return rx.icon(name, size=18, aria_hidden="true")

    return rx.center(
        rx.cond(
            kind.contains("image"),
            icon("file-image"),
            rx.cond(
                kind.contains("video"),
                icon("file-video"),
                rx.cond(
                    kind.contains("audio"),
                    icon("file-audio"),
                    rx.cond(
                        kind.contains("spreadsheet") | kind.contains("csv"),
                        icon("file-spreadsheet"),
                        rx.cond(
                            kind.contains("archive"),
                            icon("file-archive"),
                            rx.cond(
                                kind.contains("pdf")
                                | kind.contains("word")
                                | kind.contains("text")
                                | kind.contains("presentation"),
                                icon("file-text"),
                                icon("file"),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        width="2.25rem",
        height="2.25rem",
        flex_shrink="0",
        border_radius="var(--radius-2)",
        background=rx.color("accent", 3),
        color=rx.color("accent", 11),
    )


def _file_row(widget, row) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            _file_icon(row),
            rx.vstack(
                rx.link(
                    row.name,
                    href=row.url,
                    reload_document=True,
                    weight="medium",
                    size="2",
                    overflow_wrap="anywhere",
                    data_testid="file-link",
                ),
                rx.text(
                    row.type_label,
                    " · ",
                    row.size,
                    " · ",
                    row.created,
                    size="1",
                    color_scheme="gray",
                ),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.cond(
                row.can_delete,
                rx.icon_button(
                    rx.icon("trash-2", size=16),
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Delete " + row.name,
                    on_click=A.ask_delete(widget.id, row.id, row.name),
                ),
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        padding="0.5rem 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        _last={"border_bottom": "none"},
        data_testid="file-row",
    )


def _upload_control(widget) -> rx.Component:
    url = "/files/upload?page=" + A.page_id.to_string() + "&widget=" + widget.id
    start = rx.call_script(
        "window.portalUpload('" + widget.id + "', '" + url + "')",
        callback=A.upload_finished,
    )
    return rx.vstack(
        rx.el.input(
            type="file",
            id="upload-input-" + widget.id,
            hidden=True,
            tab_index=-1,
            aria_hidden="true",
        ),
        rx.button(
            rx.icon("upload", size=16, aria_hidden="true"),
            "Upload a file",
            variant="soft",
            loading=A.uploading == widget.id,
            on_click=[A.upload_started(widget.id), start],
            id="upload-button-" + widget.id,
        ),
        rx.el.progress(
            id="upload-progress-" + widget.id,
            max=100,
            hidden=True,
            aria_label="Upload progress",
            width="100%",
        ),
        rx.text(
            id="upload-progress-label-" + widget.id,
            size="1",
            color_scheme="gray",
            aria_live="polite",
        ),
        spacing="2",
        align="start",
        width="100%",
    )


def _delete_file_dialog(widget) -> rx.Component:
    return confirm_row_delete(
        A,
        widget,
        "Delete this file?",
        rx.fragment(
            rx.text(A.deleting_label, weight="medium"),
            " will no longer be available to anyone who can see this page.",
        ),
        "Delete file",
    )


def attachments_view(widget) -> rx.Component:
    rows = A.files[widget.id]
    description = widget.config["description"].to(str)
    return widget_card(
        widget,
        "paperclip",
        widget.config["title"].to(str),
        rx.cond(
            description != "",
            rx.text(description, color_scheme="gray", size="2", white_space="pre-wrap"),
        ),
        rx.cond(
            row_count(rows) > 0,
            rx.el.ul(
                rx.foreach(A.files[widget.id], lambda row: _file_row(widget, row)),
                aria_label="Files",
                list_style_type="none",
                margin="0",
                padding="0",
                width="100%",
            ),
            quiet_empty(
                "folder-open",
                "No files yet",
                rx.cond(
                    SessionState.may_manage_page_content,
                    "Upload contracts, reports or instructions for the people on this page.",
                    "Files shared with you on this page will appear here.",
                ),
            ),
        ),
        rx.cond(SessionState.may_manage_page_content, _upload_control(widget)),
        _delete_file_dialog(widget),
        data_testid="attachments",
    )


ui = WidgetUI(view=attachments_view, state=FilesState)
