"""The dropsite's drop zone, shared by the Dropsite widget and the /dropsite page: the
sender's name and e-mail when asked, a zone to drop files on (or a button to choose
them), each file's row with its own progress, an optional message, and the
confirmation. The bytes go through ``assets/dropsite.js``; the state
(``state/dropsite.py``'s ``SendsFiles``) hears of each file through two hidden buttons.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.state.dropsite import SendingFile

# A thin bar in the theme's colours (the browser's own <progress> is drawn otherwise).
PROGRESS_STYLE = {
    "appearance": "none",
    "width": "100%",
    "height": "0.375rem",
    "border": "none",
    "border_radius": "9999px",
    "overflow": "hidden",
    "background": rx.color("gray", 4),
    "&::-webkit-progress-bar": {"background": rx.color("gray", 4), "border_radius": "9999px"},
    "&::-webkit-progress-value": {
        "background": rx.color("accent", 9),
        "border_radius": "9999px",
        "transition": "width 200ms",
    },
    "&::-moz-progress-bar": {"background": rx.color("accent", 9), "border_radius": "9999px"},
}


def _js_key(key) -> Any:
    return "'" + key + "'"


def _hidden_pokes(state, key) -> rx.Component:
    """What assets/dropsite.js clicks to tell the state something changed."""
    common = {"type": "button", "hidden": True, "tab_index": -1, "aria_hidden": "true"}
    return rx.fragment(
        rx.el.input(
            type="file",
            multiple=True,
            id="dropsite-input-" + key,
            custom_attrs={"data-dropsite-input": key},
            hidden=True,
            tab_index=-1,
            aria_hidden="true",
        ),
        rx.el.button(
            id="dropsite-chosen-" + key,
            on_click=rx.call_script(
                "window.portalDropsite.chosen(" + _js_key(key) + ")",
                callback=state.files_chosen,
            ),
            **common,
        ),
        rx.el.button(
            id="dropsite-report-" + key,
            on_click=rx.call_script(
                "window.portalDropsite.report(" + _js_key(key) + ")",
                callback=state.files_reported,
            ),
            **common,
        ),
    )


def _field_error(state, key, field: str) -> rx.Component:
    return rx.cond(
        (state.error_field[key].to(str) == field) & (state.field_error[key].to(str) != ""),
        rx.text(
            state.field_error[key].to(str),
            color_scheme="red",
            size="1",
            role="alert",
            id="dropsite-error-" + field + "-" + key,
        ),
    )


def _labelled(label: str, control: rx.Component, error: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            control,
            display="grid",
            gap="0.35rem",
            width="100%",
        ),
        error,
        spacing="1",
        width="100%",
    )


def _status(row) -> rx.Component:
    return rx.match(
        row.status,
        (
            "uploading",
            rx.text("Uploading", size="1", color_scheme="gray", aria_live="polite"),
        ),
        (
            "done",
            rx.hstack(
                rx.icon("circle-check", size=14, aria_hidden="true"),
                rx.text("Sent", size="1"),
                spacing="1",
                align="center",
                color=rx.color("grass", 11),
            ),
        ),
        (
            "refused",
            rx.hstack(
                rx.icon("circle-alert", size=14, aria_hidden="true", flex_shrink="0"),
                rx.text(row.reason, size="1"),
                spacing="1",
                align="start",
                color=rx.color("red", 11),
                role="alert",
            ),
        ),
        rx.text("Waiting", size="1", color_scheme="gray"),
    )


def _file_row(state, key, row, sending, done_list=False) -> rx.Component:
    done_list = rx.Var.create(done_list)
    suffix = key + "-" + row.index.to_string()
    return rx.el.li(
        rx.hstack(
            rx.center(
                rx.icon("file", size=16, aria_hidden="true"),
                width="2rem",
                height="2rem",
                flex_shrink="0",
                border_radius="var(--radius-2)",
                background=rx.color("accent", 3),
                color=rx.color("accent", 11),
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        row.name,
                        size="2",
                        weight="medium",
                        overflow_wrap="anywhere",
                        min_width="0",
                        data_testid="dropsite-file-name",
                    ),
                    rx.text(row.size, size="1", color_scheme="gray", white_space="nowrap"),
                    spacing="2",
                    align="baseline",
                    wrap="wrap",
                    min_width="0",
                ),
                rx.hstack(
                    _status(row),
                    rx.spacer(),
                    # Drawn by portal.js's portalUploadFiles (no React children here).
                    rx.el.span(
                        id="upload-progress-label-" + suffix,
                        class_name="rt-Text rt-r-size-1",
                        color=rx.color("gray", 11),
                        hidden=row.status != "uploading",
                        aria_hidden="true",
                    ),
                    width="100%",
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    ~done_list,
                    rx.el.progress(
                        id="upload-progress-" + suffix,
                        max=100,
                        value=0,
                        aria_label="Upload progress of " + row.name,
                        hidden=row.status == "waiting",
                        class_name="dropsite-progress",
                        style=PROGRESS_STYLE,
                        data_testid="dropsite-progress",
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.cond(
                ~sending,
                rx.icon_button(
                    rx.icon("x", size=16, aria_hidden="true"),
                    type="button",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Remove " + row.name,
                    on_click=state.forget_file(key, row.index),
                ),
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        padding="0.5rem 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        _last={"border_bottom": "none"},
        data_testid="dropsite-file",
        data_status=row.status,
    )


def _zone(key, sending) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.center(
                rx.icon("cloud-upload", size=22, aria_hidden="true"),
                width="2.75rem",
                height="2.75rem",
                border_radius="full",
                background=rx.color("accent", 3),
                color=rx.color("accent", 11),
            ),
            rx.text("Drag files here", weight="medium", size="2"),
            rx.text("or", size="1", color_scheme="gray"),
            rx.button(
                rx.icon("folder-open", size=16, aria_hidden="true"),
                "Choose files",
                type="button",
                variant="soft",
                disabled=sending,
                on_click=rx.call_script("window.portalDropsite.pick(" + _js_key(key) + ")"),
                id="dropsite-choose-" + key,
            ),
            rx.text("Several at once if you like.", size="1", color_scheme="gray"),
            spacing="2",
            align="center",
        ),
        custom_attrs={"data-dropsite": key},
        padding="1.5rem 1rem",
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="var(--radius-3)",
        background=rx.color("gray", 2),
        width="100%",
        transition="background 120ms, border-color 120ms",
        style={
            "&[data-over]": {
                "border_color": rx.color("accent", 9),
                "background": rx.color("accent", 3),
            }
        },
        data_testid="dropsite-zone",
    )


def _confirmation(state, key) -> rx.Component:
    return rx.vstack(
        rx.callout(
            state.sent_note[key].to(str),
            icon="circle-check",
            color_scheme="grass",
            size="2",
            width="100%",
            role="status",
            data_testid="dropsite-confirmation",
        ),
        rx.el.ul(
            rx.foreach(
                state.chosen[key].to(list[SendingFile]),
                lambda row: _file_row(state, key, row, rx.Var.create(True), True),
            ),
            aria_label="Files just sent",
            list_style_type="none",
            margin="0",
            padding="0",
            width="100%",
        ),
        rx.hstack(
            rx.button(
                rx.icon("plus", size=16, aria_hidden="true"),
                "Send more files",
                type="button",
                variant="soft",
                on_click=state.send_more(key),
            ),
            justify="end",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _sending_form(state, key, screen, ask_message) -> rx.Component:
    rows = state.chosen[key]
    count = rx.cond(rows, rows.to(list).length(), 0)
    sending = state.phase[key].to(str) == "sending"
    return rx.form(
        rx.el.input(type="hidden", name="key", value=key),
        rx.vstack(
            rx.cond(
                screen.asks_sender,
                rx.grid(
                    _labelled(
                        "Your name",
                        rx.input(
                            name="sender_name",
                            auto_complete="name",
                            max_length=120,
                            required=True,
                            default_value=screen.sender_name,
                            id="dropsite-name-" + key,
                        ),
                        _field_error(state, key, "sender_name"),
                    ),
                    _labelled(
                        "Your e-mail",
                        rx.input(
                            name="sender_email",
                            type="email",
                            auto_complete="email",
                            max_length=320,
                            required=True,
                            default_value=screen.sender_email,
                            id="dropsite-email-" + key,
                        ),
                        _field_error(state, key, "sender_email"),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
            ),
            _zone(key, sending),
            rx.cond(
                count > 0,
                rx.el.ul(
                    rx.foreach(
                        rows.to(list[SendingFile]), lambda row: _file_row(state, key, row, sending)
                    ),
                    aria_label="Files to send",
                    list_style_type="none",
                    margin="0",
                    padding="0",
                    width="100%",
                ),
            ),
            _field_error(state, key, "files"),
            rx.cond(
                ask_message,
                _labelled(
                    "Message (optional)",
                    rx.text_area(
                        name="message",
                        width="100%",
                        rows="3",
                        max_length=5000,
                        placeholder="Anything the team should know about these files",
                        id="dropsite-message-" + key,
                    ),
                    _field_error(state, key, "message"),
                ),
            ),
            rx.cond(
                (state.field_error[key].to(str) != "") & (state.error_field[key].to(str) == ""),
                rx.callout(
                    state.field_error[key].to(str),
                    color_scheme="red",
                    icon="triangle-alert",
                    size="1",
                    width="100%",
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.cond(
                        sending,
                        rx.fragment(rx.spinner(size="1"), "Sending…"),
                        rx.fragment(
                            rx.icon("send", size=16, aria_hidden="true"),
                            rx.cond(count > 1, "Send " + count.to_string() + " files", "Send"),
                        ),
                    ),
                    type="submit",
                    disabled=(count == 0) | sending,
                    id="dropsite-send-" + key,
                ),
                justify="end",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=state.send,
        reset_on_submit=False,
        width="100%",
    )


def staff_note() -> rx.Component:
    return rx.callout(
        rx.text(
            "Clients send files here. They arrive in ",
            rx.link("Documents", href="/documents"),
            " › the client › Received.",
        ),
        icon="info",
        color_scheme="gray",
        variant="surface",
        size="1",
        width="100%",
        data_testid="dropsite-staff-note",
    )


def drop_zone(state, key, ask_message=True) -> rx.Component:
    """The whole sending for ``key`` (a widget id Var, or "page") of ``state``."""
    screen = state.screens[key]
    mode = rx.cond(screen, screen.mode.to(str), "")
    return rx.box(
        rx.match(
            mode,
            (
                "open",
                rx.fragment(
                    _hidden_pokes(state, key),
                    rx.cond(
                        state.phase[key].to(str) == "sent",
                        _confirmation(state, key),
                        _sending_form(state, key, screen, ask_message),
                    ),
                ),
            ),
            ("staff", staff_note()),
            (
                "closed",
                rx.callout(
                    screen.note.to(str),
                    icon="lock",
                    color_scheme="gray",
                    variant="surface",
                    size="1",
                    width="100%",
                    data_testid="dropsite-closed-note",
                ),
            ),
            rx.fragment(),
        ),
        width="100%",
    )
