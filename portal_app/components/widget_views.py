"""How the discussion, form and attachments widgets look on a published page.

Each view receives the widget as a Reflex Var (``id``, ``type``, ``config``) and reads
its rows from the widget states by widget id. Controls inside ``rx.foreach`` can't
close over loop variables in hoisted hooks (a form's submit handler), so every form
carries its widget id in a hidden field instead.
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import confirm_dialog, field_error
from portal_app.services.forms import SubmissionValue
from portal_app.state.page_view import PageViewState
from portal_app.state.session import SessionState
from portal_app.state.widgets import ALL, DiscussionState, FilesState, FormState

STATUS_COLORS = (
    ("Pending", "amber"),
    ("Reviewing", "blue"),
    ("Accepted", "green"),
    ("Rejected", "red"),
)


def _can_contribute() -> rx.Var[bool]:
    return PageViewState.page.can_contribute.to(bool)


def _widget_card(widget, icon: str, title, *children: rx.Component, **props) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, aria_hidden="true", color=rx.color("accent", 11)),
                rx.heading(title, as_="h3", size="4"),
                spacing="2",
                align="center",
            ),
            *children,
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        id="widget-" + widget.id,
        **props,
    )


def _quiet_empty(icon: str, title: str, text: str) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=20, aria_hidden="true"),
            width="2.5rem",
            height="2.5rem",
            flex_shrink="0",
            border_radius="full",
            background=rx.color("accent", 3),
            color=rx.color("accent", 11),
        ),
        rx.vstack(
            rx.text(title, weight="medium", size="2"),
            rx.text(text, color_scheme="gray", size="2"),
            spacing="0",
        ),
        spacing="3",
        align="center",
        padding="0.75rem",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-3)",
        width="100%",
    )


def _view_only_note(text: str) -> rx.Component:
    return rx.callout(
        text, icon="eye", color_scheme="gray", variant="surface", size="1", width="100%"
    )


def _count(rows) -> rx.Var[int]:
    """How many rows a list looked up by widget id holds: 0 before it is loaded."""
    return rx.cond(rows, rows.to(list).length(), 0)


def _message(value) -> rx.Var[str]:
    """A message looked up by key: "" (not undefined) when there is none."""
    return rx.cond(value, value.to(str), "")


def _hidden(name: str, value) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)


# --- discussion -------------------------------------------------------------------------

D = DiscussionState


def _comment_actions(widget, comment, can_reply, thread_id) -> rx.Component:
    return rx.hstack(
        rx.cond(
            can_reply,
            rx.button(
                rx.icon("reply", size=14, aria_hidden="true"),
                "Reply",
                variant="ghost",
                size="1",
                color_scheme="gray",
                # Threads are one level deep: replying to a reply joins its thread.
                on_click=D.start_reply(thread_id),
                aria_label="Reply to the comment by " + comment.author,
            ),
        ),
        rx.cond(
            comment.can_edit & _can_contribute(),
            rx.button(
                rx.icon("pencil", size=14, aria_hidden="true"),
                "Edit",
                variant="ghost",
                size="1",
                color_scheme="gray",
                on_click=D.start_edit(comment.id),
                aria_label="Edit comment",
            ),
        ),
        rx.cond(
            comment.can_delete,
            rx.button(
                rx.icon("trash-2", size=14, aria_hidden="true"),
                "Delete",
                variant="ghost",
                size="1",
                color_scheme="red",
                on_click=D.ask_delete(widget.id, comment.id, comment.author),
                aria_label="Delete comment by " + comment.author,
            ),
        ),
        spacing="4",
        padding_top="0.25rem",
        padding_left="0.25rem",
    )


def _edit_form(widget, comment) -> rx.Component:
    box_id = "edit-box-" + comment.id.to_string()
    return rx.form(
        _hidden("widget", widget.id),
        _hidden("comment", comment.id),
        rx.el.label("Edit your comment", html_for=box_id, class_name="sr-only"),
        rx.text_area(
            id=box_id,
            name="body",
            default_value=comment.body,
            rows="3",
            width="100%",
            data_submit_shortcut="true",
        ),
        field_error(_message(D.errors["edit"])),
        rx.hstack(
            rx.button(
                "Cancel", type="button", variant="soft", color_scheme="gray", on_click=D.cancel_edit
            ),
            rx.button("Save", type="submit"),
            spacing="2",
            justify="end",
            width="100%",
        ),
        on_submit=D.save_edit,
        width="100%",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
    )


def _reply_form(widget, comment) -> rx.Component:
    box_id = "reply-box-" + comment.id.to_string()
    return rx.form(
        _hidden("widget", widget.id),
        _hidden("parent", comment.id),
        rx.el.label(
            rx.text("Reply to ", comment.author, size="2", weight="medium"), html_for=box_id
        ),
        rx.text_area(
            id=box_id,
            name="body",
            placeholder="Write a reply…",
            rows="2",
            width="100%",
            data_submit_shortcut="true",
        ),
        field_error(_message(D.errors["reply"])),
        rx.hstack(
            rx.button(
                "Cancel",
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=D.cancel_reply,
            ),
            rx.button(rx.icon("send", size=14, aria_hidden="true"), "Reply", type="submit"),
            spacing="2",
            justify="end",
            width="100%",
        ),
        on_submit=D.post,
        width="100%",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
        padding_top="0.5rem",
    )


def _comment(widget, comment, can_reply, thread_id, *extra: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.cond(
            comment.deleted,
            rx.avatar(fallback="–", size="2", radius="full", color_scheme="gray"),
            rx.avatar(fallback=comment.initials, size="2", radius="full", color_scheme="gray"),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(
                    rx.cond(comment.deleted, "Deleted comment", comment.author),
                    weight="medium",
                    size="2",
                ),
                rx.text(comment.time, size="1", color_scheme="gray"),
                rx.cond(
                    comment.edited,
                    rx.text("· edited", size="1", color_scheme="gray"),
                ),
                spacing="2",
                align="baseline",
                wrap="wrap",
            ),
            rx.cond(
                D.editing_id == comment.id,
                _edit_form(widget, comment),
                rx.text(
                    comment.body,
                    size="2",
                    white_space="pre-wrap",
                    overflow_wrap="anywhere",
                    color=rx.cond(comment.deleted, rx.color("gray", 11), "inherit"),
                    font_style=rx.cond(comment.deleted, "italic", "normal"),
                ),
            ),
            rx.cond(
                ~comment.deleted & (D.editing_id != comment.id),
                _comment_actions(widget, comment, can_reply, thread_id),
            ),
            *extra,
            spacing="1",
            width="100%",
            min_width="0",
        ),
        spacing="3",
        align="start",
        width="100%",
        data_testid="comment",
    )


def _thread(widget, thread) -> rx.Component:
    allow_replies = widget.config["allow_replies"].to(bool) & _can_contribute()
    return rx.el.li(
        _comment(
            widget,
            thread,
            allow_replies,
            thread.id,
            rx.cond(
                _count(thread.replies) > 0,
                rx.el.ul(
                    rx.foreach(
                        thread.replies,
                        lambda reply: rx.el.li(_comment(widget, reply, allow_replies, thread.id)),
                    ),
                    aria_label="Replies",
                    display="flex",
                    flex_direction="column",
                    gap="1rem",
                    list_style_type="none",
                    margin="0.75rem 0 0 0",
                    padding="0 0 0 1rem",
                    border_left=f"2px solid {rx.color('gray', 4)}",
                ),
            ),
            rx.cond(D.replying_to == thread.id, _reply_form(widget, thread)),
        ),
    )


def _comment_box(widget) -> rx.Component:
    box_id = "comment-box-" + widget.id
    return rx.form(
        _hidden("widget", widget.id),
        rx.el.label(rx.text("Add a comment", size="2", weight="medium"), html_for=box_id),
        rx.text_area(
            id=box_id,
            name="body",
            placeholder="Write a comment… Use @Name to notify someone.",
            rows="3",
            width="100%",
            aria_describedby="comment-hint-" + widget.id,
            data_submit_shortcut="true",
        ),
        field_error(_message(D.errors[widget.id])),
        rx.hstack(
            rx.text(
                "Ctrl+Enter (⌘+Enter on a Mac) to post",
                id="comment-hint-" + widget.id,
                size="1",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("send", size=14, aria_hidden="true"),
                "Post comment",
                type="submit",
                loading=D.busy,
            ),
            align="center",
            width="100%",
        ),
        on_submit=D.post,
        id="comment-form-" + widget.id,
        width="100%",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
    )


def _delete_comment_dialog(widget) -> rx.Component:
    return confirm_dialog(
        "Delete this comment?",
        rx.fragment(
            rx.cond(
                D.deleting_author != "",
                rx.text("The comment by ", D.deleting_author, " will be removed for everyone."),
                rx.text("The comment will be removed for everyone."),
            ),
            " This can't be undone.",
        ),
        "Delete comment",
        D.confirm_delete,
        (D.deleting_id > 0) & (D.deleting_widget == widget.id),
        D.cancel_delete(),
    )


def discussion_view(widget) -> rx.Component:
    return _widget_card(
        widget,
        "messages-square",
        widget.config["title"].to(str),
        rx.cond(
            _count(D.threads[widget.id]) > 0,
            rx.el.ul(
                rx.foreach(D.threads[widget.id], lambda thread: _thread(widget, thread)),
                aria_label="Comments",
                display="flex",
                flex_direction="column",
                gap="1.25rem",
                list_style_type="none",
                margin="0",
                padding="0",
                width="100%",
            ),
            _quiet_empty(
                "message-circle",
                "No comments yet — start the conversation",
                "Questions and notes about this page go here.",
            ),
        ),
        rx.separator(size="4"),
        rx.cond(
            _can_contribute(),
            _comment_box(widget),
            _view_only_note("This page is view-only for you, so you can read the discussion."),
        ),
        _delete_comment_dialog(widget),
        data_testid="discussion",
    )


# --- forms ------------------------------------------------------------------------------

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


def _form_control(widget, spec) -> rx.Component:
    control_id = "field-" + widget.id + "-" + spec["id"].to(str)
    name = spec["id"].to(str)
    required = spec["required"].to(bool)
    error = _message(F.errors[widget.id][spec["id"].to(str)])
    invalid = rx.cond(error != "", "true", "false")
    common = {
        "id": control_id,
        "name": name,
        "aria_invalid": invalid,
        "aria_required": rx.cond(required, "true", "false"),
        "width": "100%",
    }
    kind = spec["kind"].to(str)
    text_input = rx.input(
        type=rx.match(kind, ("email", "email"), ("number", "number"), ("date", "date"), "text"),
        max_length=spec["max_length"].to(int),
        **common,
    )
    return rx.match(
        kind,
        (
            "long_text",
            rx.text_area(rows="4", max_length=spec["max_length"].to(int), **common),
        ),
        (
            "select",
            rx.select.root(
                rx.select.trigger(
                    placeholder="Choose…",
                    id=control_id,
                    aria_invalid=invalid,
                    width="100%",
                ),
                rx.select.content(
                    rx.foreach(
                        spec["options"].to(list[str]),
                        lambda option: rx.select.item(option, value=option),
                    ),
                ),
                name=name,
            ),
        ),
        (
            "checkbox",
            rx.checkbox(id=control_id, name=name, aria_invalid=invalid),
        ),
        ("file", _file_field(widget, spec)),
        text_input,
    )


def _file_field(widget, spec) -> rx.Component:
    """A client's file for the form: uploaded first (to this form's widget), then the
    form carries its id in a hidden field that ``portalUpload`` fills in."""
    key = widget.id + "-" + spec["id"].to(str)
    url = "/files/upload?page=" + F.page_id.to_string() + "&widget=" + widget.id
    return rx.vstack(
        rx.el.input(type="hidden", name=spec["id"].to(str), id="file-value-" + key),
        rx.el.input(
            type="file", id="upload-input-" + key, hidden=True, tab_index=-1, aria_hidden="true"
        ),
        rx.hstack(
            rx.button(
                rx.icon("paperclip", size=16, aria_hidden="true"),
                "Choose a file",
                type="button",
                variant="soft",
                id="field-" + key,
                on_click=rx.call_script(
                    "window.portalUpload('" + key + "', '" + url + "', 'file-value-" + key + "')",
                    callback=F.file_attached,
                ),
            ),
            rx.text(
                id="upload-progress-label-" + key, size="2", color_scheme="gray", aria_live="polite"
            ),
            spacing="3",
            align="center",
        ),
        rx.el.progress(
            id="upload-progress-" + key,
            max=100,
            hidden=True,
            aria_label="Upload progress",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _form_field(widget, spec) -> rx.Component:
    control_id = "field-" + widget.id + "-" + spec["id"].to(str)
    error = _message(F.errors[widget.id][spec["id"].to(str)])
    label = rx.el.label(
        rx.text(
            spec["label"].to(str),
            rx.cond(
                spec["required"].to(bool),
                rx.el.span(" *", aria_hidden="true", color=rx.color("red", 11), font_weight="bold"),
            ),
            rx.cond(spec["required"].to(bool), rx.el.span(" (required)", class_name="sr-only")),
            size="2",
            weight="medium",
        ),
        html_for=control_id,
    )
    return rx.cond(
        spec["kind"].to(str) == "checkbox",
        rx.vstack(
            rx.hstack(_form_control(widget, spec), label, spacing="2", align="center"),
            field_error(error),
            spacing="1",
            width="100%",
        ),
        rx.vstack(
            label,
            _form_control(widget, spec),
            field_error(error),
            spacing="1",
            width="100%",
            align="stretch",
        ),
    )


def _form_body(widget) -> rx.Component:
    fields = widget.config["fields"].to(list[dict])
    general_error = _message(F.errors[widget.id][""])
    return rx.form(
        _hidden("__widget", widget.id),
        rx.foreach(fields, lambda spec: _form_field(widget, spec)),
        rx.cond(
            general_error != "",
            rx.callout(
                general_error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                role="alert",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.text("* required", size="1", color_scheme="gray"),
            rx.spacer(),
            rx.button(
                widget.config["submit_label"].to(str),
                type="submit",
                loading=F.busy_widget == widget.id,
            ),
            align="center",
            width="100%",
        ),
        on_submit=F.submit,
        id="form-" + widget.id,
        display="flex",
        flex_direction="column",
        gap="1rem",
        width="100%",
        no_validate=True,
    )


def _submitted(widget) -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text("Thanks — your submission was received", weight="medium"),
            rx.text("We'll follow up here; its status is shown below.", size="2"),
            rx.button(
                "Send another response",
                variant="soft",
                size="1",
                on_click=F.submit_another(widget.id),
            ),
            spacing="2",
            align="start",
        ),
        icon="circle-check",
        color_scheme="green",
        role="status",
        width="100%",
        data_testid="form-success",
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


def _own_submissions(widget) -> rx.Component:
    rows = F.submissions[widget.id]
    return rx.cond(
        _count(rows) > 0,
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


def _submissions_table(widget) -> rx.Component:
    rows = F.submissions[widget.id]
    return rx.vstack(
        rx.heading("Submissions", as_="h4", size="3"),
        _submission_filters(widget),
        rx.cond(
            _count(rows) > 0,
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
            _quiet_empty(
                "inbox",
                "No submissions here",
                "Responses people send with this form appear here. Clear the filters to see all.",
            ),
        ),
        spacing="3",
        width="100%",
    )


def form_view(widget) -> rx.Component:
    introduction = widget.config["introduction"].to(str)
    return _widget_card(
        widget,
        "clipboard-list",
        widget.config["title"].to(str),
        rx.cond(
            introduction != "",
            rx.text(introduction, color_scheme="gray", size="2", white_space="pre-wrap"),
        ),
        rx.cond(
            _can_contribute(),
            rx.cond(
                F.submitted[widget.id].to(bool),
                _submitted(widget),
                _form_body(widget),
            ),
            _view_only_note("This page is view-only for you, so the form can't be sent."),
        ),
        rx.cond(
            SessionState.is_staff,
            rx.fragment(rx.separator(size="4"), _submissions_table(widget)),
            _own_submissions(widget),
        ),
        data_testid="form-widget",
    )


# --- attachments ------------------------------------------------------------------------

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
    return confirm_dialog(
        "Delete this file?",
        rx.fragment(
            rx.text(A.deleting_name, weight="medium"),
            " will no longer be available to anyone who can see this page.",
        ),
        "Delete file",
        A.confirm_delete,
        (A.deleting_id > 0) & (A.deleting_widget == widget.id),
        A.cancel_delete(),
    )


def attachments_view(widget) -> rx.Component:
    rows = A.files[widget.id]
    description = widget.config["description"].to(str)
    return _widget_card(
        widget,
        "paperclip",
        widget.config["title"].to(str),
        rx.cond(
            description != "",
            rx.text(description, color_scheme="gray", size="2", white_space="pre-wrap"),
        ),
        rx.cond(
            _count(rows) > 0,
            rx.el.ul(
                rx.foreach(A.files[widget.id], lambda row: _file_row(widget, row)),
                aria_label="Files",
                list_style_type="none",
                margin="0",
                padding="0",
                width="100%",
            ),
            _quiet_empty(
                "folder-open",
                "No files yet",
                rx.cond(
                    SessionState.is_staff,
                    "Upload contracts, reports or instructions for the people on this page.",
                    "Files shared with you on this page will appear here.",
                ),
            ),
        ),
        rx.cond(SessionState.is_staff, _upload_control(widget)),
        _delete_file_dialog(widget),
        data_testid="attachments",
    )
