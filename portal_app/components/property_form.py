"""The editor's property panel: one form per widget type, generated from the type's
config model (portal_app.widgets.base.WidgetType.editor_fields)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import field_error, form_field
from portal_app.components.rich_text import rich_text_editor
from portal_app.state.editor import EditorState as S
from portal_app.widgets.base import EditorField, WidgetType
from portal_app.widgets.registry import widget_types


def _error_for(name: str) -> rx.Var[str]:
    return rx.cond(S.config_error_field == name, S.config_error, "")


def _upload_control(
    key: str, label: str, icon: str, accept: str, callback, value_input_id: str = ""
) -> rx.Component:
    """A button that uploads one file to the selected widget through the authorizing
    route (assets/portal.js ``portalUpload``), with progress; ``value_input_id`` names
    an input that receives the new file's id."""
    url = "/files/upload?page=" + S.draft.id.to_string() + "&widget=" + S.selected_id
    target = f", '{value_input_id}'" if value_input_id else ""
    return rx.hstack(
        rx.el.input(
            type="file",
            id=f"upload-input-{key}",
            name=f"{key}_upload",
            accept=accept,
            hidden=True,
            aria_hidden="true",
            tab_index=-1,
        ),
        rx.button(
            rx.icon(icon, size=14),
            label,
            type="button",
            size="1",
            variant="soft",
            on_click=rx.call_script(
                f"window.portalUpload('{key}', '" + url + f"'{target})", callback=callback
            ),
        ),
        rx.el.progress(
            id=f"upload-progress-{key}", max=100, value=0, hidden=True, aria_label="Upload progress"
        ),
        rx.text(
            id=f"upload-progress-label-{key}", size="1", color_scheme="gray", aria_live="polite"
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _file_upload(field: EditorField) -> rx.Component:
    """A file property (say a media widget's image): upload, then save to use it."""
    return rx.vstack(
        rx.el.input(
            type="hidden",
            name=field.name,
            id="property-file-id",
            default_value=S.form_values[field.name],
        ),
        _upload_control(
            "property-file",
            "Upload a file",
            "upload",
            "image/*,video/*",
            S.file_uploaded,
            value_input_id="property-file-id",
        ),
        spacing="2",
        width="100%",
    )


def _rich_text_image_upload() -> rx.Component:
    """Images in rich text come from the page's own files (the sanitizer drops others)."""
    return _upload_control(
        "richtext",
        "Insert image",
        "image-plus",
        "image/png,image/jpeg,image/gif,image/webp",
        S.rich_text_image_uploaded,
    )


def _form_fields_builder(field: EditorField) -> rx.Component:
    """A form's questions: one card each; ``field.options`` are the kinds of answer."""

    def row(question, index) -> rx.Component:
        prefix = "field_" + index.to_string()
        return rx.card(
            rx.vstack(
                rx.hstack(
                    rx.input(
                        name=prefix + "_label",
                        default_value=question.label,
                        width="100%",
                        aria_label="Question",
                        placeholder="Question",
                    ),
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        type="button",
                        variant="ghost",
                        color_scheme="red",
                        aria_label="Remove question",
                        on_click=S.remove_form_field(index),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.hstack(
                    rx.select(
                        list(field.options),
                        name=prefix + "_kind",
                        default_value=question.kind,
                        aria_label="Answer type",
                        size="1",
                    ),
                    rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                name=prefix + "_required", default_checked=question.required
                            ),
                            rx.text("Required", size="1"),
                            spacing="1",
                            align="center",
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                rx.input(
                    name=prefix + "_options",
                    default_value=question.options,
                    size="1",
                    placeholder="Choices, separated by commas (for select)",
                    aria_label="Choices for a select question",
                    width="100%",
                ),
                spacing="2",
            ),
            size="1",
            width="100%",
        )

    return rx.vstack(
        rx.foreach(S.form_field_rows, row),
        rx.button(
            rx.icon("plus", size=14),
            "Add a question",
            type="button",
            variant="soft",
            size="1",
            on_click=S.add_form_field,
        ),
        spacing="2",
        width="100%",
    )


def _control(field: EditorField) -> rx.Component:
    field_id = f"prop-{field.name}"
    value = S.form_values[field.name]
    if field.kind == "checkbox":
        return rx.el.label(
            rx.hstack(
                rx.checkbox(name=field.name, default_checked=value == "on", id=field_id),
                rx.text(field.label, size="2"),
                spacing="2",
                align="center",
            ),
        )
    if field.kind == "select":
        control = rx.select(
            list(field.options), name=field.name, default_value=value, id=field_id, width="100%"
        )
    elif field.kind in ("long_text", "list"):
        control = rx.text_area(
            name=field.name,
            default_value=value,
            id=field_id,
            width="100%",
            rows="4" if field.kind == "list" else "3",
        )
    elif field.kind == "number":
        control = rx.input(
            name=field.name, default_value=value, id=field_id, type="number", width="100%"
        )
    elif field.kind == "file":
        control = _file_upload(field)
    elif field.kind == "form_fields":
        control = _form_fields_builder(field)
    else:
        control = rx.input(name=field.name, default_value=value, id=field_id, width="100%")
    return form_field(field.label, field_id, control, error=_error_for(field.name), hint=field.help)


def _type_form(widget_type: WidgetType) -> rx.Component:
    fields = [f for f in widget_type.editor_fields() if f.kind != "rich_text"]
    rich = [f for f in widget_type.editor_fields() if f.kind == "rich_text"]
    parts: list[rx.Component] = []
    if rich:
        parts.append(
            rx.vstack(
                rich_text_editor(
                    content=S.form_values[rich[0].name],
                    on_change=S.save_rich_text,
                    label=rich[0].label,
                    placeholder="Write something…",
                    min_height="14rem",
                ),
                _rich_text_image_upload(),
                rx.text("Changes save automatically.", size="1", color_scheme="gray"),
                spacing="2",
                width="100%",
            )
        )
    if fields:
        parts.append(
            rx.form(
                rx.vstack(
                    *[_control(f) for f in fields],
                    rx.cond(
                        (S.config_error != "") & (S.config_error_field == ""),
                        field_error(S.config_error),
                    ),
                    rx.hstack(
                        rx.button("Save", type="submit", id="save-properties"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save_properties,
                reset_on_submit=False,
                key=S.selected_id + "-" + S.draft.revision.to_string(),
                width="100%",
            )
        )
    if not parts:
        parts.append(rx.text("This widget has nothing to set.", size="2", color_scheme="gray"))
    return rx.vstack(*parts, spacing="4", width="100%")


def property_panel() -> rx.Component:
    types = widget_types()
    return rx.card(
        rx.cond(
            S.selected_id != "",
            rx.vstack(
                rx.hstack(
                    rx.heading(
                        rx.match(
                            S.selected_type, *[(n, t.label) for n, t in types.items()], "Widget"
                        ),
                        size="3",
                        as_="h2",
                    ),
                    rx.spacer(),
                    rx.icon_button(
                        rx.icon("x", size=16),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label="Close properties",
                        on_click=S.select(""),
                    ),
                    width="100%",
                    align="center",
                ),
                rx.match(
                    S.selected_type, *[(n, _type_form(t)) for n, t in types.items()], rx.fragment()
                ),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                rx.heading("Properties", size="3", as_="h2"),
                rx.text(
                    "Select a widget's Edit button to change what it shows.",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="2",
            ),
        ),
        width="100%",
        id="property-panel",
    )
