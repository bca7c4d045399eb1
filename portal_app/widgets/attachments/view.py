"""How an attachments widget looks on a published page: its files, the upload button
(staff, and contributors where the widget allows it) and the delete confirmation."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import confirm_row_delete
from portal_app.components.widget_parts import (
    can_contribute,
    quiet_empty,
    row_count,
    widget_card,
)
from portal_app.components.widget_ui import WidgetUI
from portal_app.state.session import SessionState
from portal_app.widgets.attachments.state import FilesState

A = FilesState
# The fields of the share dialog that show their own refusal; any other shows below.
SHARE_FIELDS = ("password", "expires_at", "download_limit")


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
                SessionState.may_manage_page_content,
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("link", size=16, aria_hidden="true"),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label="Share a link to " + row.name,
                        on_click=A.ask_share(widget.id, row.id, row.name),
                        data_testid="share-file",
                    ),
                    content="Share a link",
                ),
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


def _field_error(field: str) -> rx.Component:
    return rx.cond(
        (A.share_error != "") & (A.share_error_field == field),
        rx.text(A.share_error, color_scheme="red", size="1", role="alert"),
    )


def _labelled(label: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"), control, display="grid", gap="0.35rem"
        ),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def _share_form() -> rx.Component:
    web = A.share_kind == "web"
    return rx.form(
        rx.vstack(
            rx.radio_group.root(
                rx.vstack(
                    rx.el.label(
                        rx.hstack(
                            rx.radio_group.item(value="web"),
                            rx.vstack(
                                rx.text("Web link", size="2", weight="medium"),
                                rx.text(
                                    "Anyone with the link can download it.",
                                    size="1",
                                    color_scheme="gray",
                                ),
                                spacing="0",
                            ),
                            spacing="2",
                            align="start",
                        ),
                    ),
                    rx.el.label(
                        rx.hstack(
                            rx.radio_group.item(value="secured"),
                            rx.vstack(
                                rx.text("Secured link", size="2", weight="medium"),
                                rx.text(
                                    "Opens only after signing in, for people who may "
                                    "already see this page.",
                                    size="1",
                                    color_scheme="gray",
                                ),
                                spacing="0",
                            ),
                            spacing="2",
                            align="start",
                        ),
                    ),
                    spacing="2",
                ),
                value=A.share_kind,
                on_change=A.choose_share_kind,
                aria_label="Kind of link",
            ),
            rx.cond(
                web,
                _labelled(
                    "Password (optional)",
                    rx.input(
                        name="password",
                        type="password",
                        auto_complete="new-password",
                        max_length=256,
                        placeholder="At least 8 characters",
                    ),
                    "Tell it to the people you send the link to, not in the same message.",
                ),
            ),
            _field_error("password"),
            _labelled(
                "Expires (UTC, optional)",
                rx.input(name="expires_at", type="datetime-local"),
                "Empty: the portal's default expiry.",
            ),
            _field_error("expires_at"),
            _labelled(
                "Download limit (optional)",
                rx.input(name="download_limit", type="number", min=1, placeholder="No limit"),
            ),
            _field_error("download_limit"),
            rx.cond(
                web,
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            name="notify_first_open",
                            aria_label="E-mail me when the link is first opened",
                        ),
                        rx.text("E-mail me when the link is first opened", size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
            ),
            rx.cond(
                (A.share_error != "")
                & ~rx.Var.create(list(SHARE_FIELDS)).contains(A.share_error_field),
                rx.callout(A.share_error, color_scheme="red", icon="triangle-alert", size="1"),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Create link", type="submit"),
                justify="end",
                spacing="3",
                width="100%",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=A.create_share,
        reset_on_submit=False,
    )


def _share_made() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "Copy the link now: for your safety it is shown only once. You can deactivate "
            "it or make a new one in Settings » Sharing.",
            icon="info",
            size="1",
        ),
        rx.el.label(
            rx.text("The link", size="2", weight="medium"),
            rx.input(value=A.share_url, read_only=True, data_testid="share-url"),
            display="grid",
            gap="0.35rem",
            width="100%",
        ),
        rx.hstack(
            rx.button(
                rx.icon("copy", size=16, aria_hidden="true"),
                "Copy link",
                variant="soft",
                on_click=[rx.set_clipboard(A.share_url), rx.toast.success("Link copied.")],
            ),
            rx.dialog.close(rx.button("Done")),
            justify="end",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def _share_dialog(widget) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Share a link to this document"),
            rx.dialog.description(
                rx.text(A.sharing_file_name, weight="medium", overflow_wrap="anywhere"),
                size="2",
                margin_bottom="1rem",
            ),
            rx.cond(A.share_url != "", _share_made(), _share_form()),
            max_width="min(30rem, calc(100vw - 2rem))",
        ),
        open=(A.sharing_file_id > 0) & (A.sharing_widget == widget.id),
        on_open_change=lambda _open: A.close_share(),
    )


def _may_upload(widget) -> rx.Var[bool]:
    """Staff, or a contributor where the widget lets them (the upload route decides)."""
    contributors = widget.config["contributors_may_upload"].to(bool)
    return SessionState.may_manage_page_content | (contributors & can_contribute())


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
                    rx.cond(
                        _may_upload(widget),
                        "Add the files the team asked for; everyone on this page can see them.",
                        "Files shared with you on this page will appear here.",
                    ),
                ),
            ),
        ),
        rx.cond(_may_upload(widget), _upload_control(widget)),
        _delete_file_dialog(widget),
        rx.cond(SessionState.may_manage_page_content, _share_dialog(widget)),
        data_testid="attachments",
    )


ui = WidgetUI(view=attachments_view, state=FilesState)
