"""How a form widget looks on a published page: the form to fill in, and below it
the person's own submissions (clients) or every submission to review (staff)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import field_error
from portal_app.components.widget_parts import (
    can_contribute,
    hidden_input,
    message_text,
    view_only_note,
    widget_card,
)
from portal_app.components.widget_ui import WidgetUI
from portal_app.state.session import SessionState
from portal_app.widgets.form.review import own_submissions, submissions_table
from portal_app.widgets.form.state import FormState

F = FormState


def _form_control(widget, spec) -> rx.Component:
    control_id = "field-" + widget.id + "-" + spec["id"].to(str)
    name = spec["id"].to(str)
    required = spec["required"].to(bool)
    error = message_text(F.errors[widget.id][spec["id"].to(str)])
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
    error = message_text(F.errors[widget.id][spec["id"].to(str)])
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
    general_error = message_text(F.errors[widget.id][""])
    return rx.form(
        hidden_input("__widget", widget.id),
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


def form_view(widget) -> rx.Component:
    introduction = widget.config["introduction"].to(str)
    return widget_card(
        widget,
        "clipboard-list",
        widget.config["title"].to(str),
        rx.cond(
            introduction != "",
            rx.text(introduction, color_scheme="gray", size="2", white_space="pre-wrap"),
        ),
        rx.cond(
            can_contribute(),
            rx.cond(
                F.submitted[widget.id].to(bool),
                _submitted(widget),
                _form_body(widget),
            ),
            view_only_note("This page is view-only for you, so the form can't be sent."),
        ),
        rx.cond(
            SessionState.may_manage_page_content,
            rx.fragment(rx.separator(size="4"), submissions_table(widget)),
            own_submissions(widget),
        ),
        data_testid="form-widget",
    )


ui = WidgetUI(view=form_view, state=FormState)
