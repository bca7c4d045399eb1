"""The page editor: the draft's layout on a drag-and-drop board, the selected widget's
properties, autosave status, publish, history, permissions and subscribers.

Every change is one operation the server checks (services.drafts.edit_draft) against
the draft revision this editor last saw; a newer revision means another editor saved
first, and the editor says so instead of overwriting their work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape as html_escape
from typing import Any

import reflex as rx

from portal_app.errors import Conflict, Invalid
from portal_app.services import drafts, grants, organizations, pages, people, subscriptions
from portal_app.services.page_views import DraftView, NavPage, VersionRow
from portal_app.state.page_sharing import PageSharingState
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.widgets.base import EditorField
from portal_app.widgets.registry import widget_types


@dataclass(frozen=True)
class EditorWidget:
    id: str
    type: str
    label: str
    icon: str
    summary: str
    column: str
    index: int
    column_size: int
    section_index: int
    column_index: int
    section_columns: int


@dataclass(frozen=True)
class EditorSection:
    id: str
    number: int
    columns: int
    empty: bool


@dataclass(frozen=True)
class Choice:
    id: str
    name: str


@dataclass(frozen=True)
class GrantChoice:
    key: str  # "organization:3" or "person:12"
    name: str
    level: str  # "", "view" or "contribute"


@dataclass(frozen=True)
class FormFieldRow:
    id: str
    label: str
    kind: str
    required: bool
    options: str


def _summary(type_name: str, config: dict[str, Any]) -> str:
    text = ""
    for key in ("title", "text", "caption", "html"):
        value = config.get(key)
        if isinstance(value, str) and value.strip():
            text = re.sub(r"<[^>]+>", " ", value) if key == "html" else value
            break
    return " ".join(text.split())[:90]


def _flatten(
    draft: DraftView,
) -> tuple[list[dict[str, Any]], list[EditorWidget], list[EditorSection]]:
    types = widget_types()
    columns, widgets, sections = [], [], []
    for s_index, section in enumerate(draft.sections):
        count = len(section.columns)
        sections.append(
            EditorSection(
                id=section.id,
                number=s_index + 1,
                columns=count,
                empty=all(not c.widgets for c in section.columns),
            )
        )
        for c_index, column in enumerate(section.columns):
            label = f"Section {s_index + 1}" + (f" · column {c_index + 1}" if count > 1 else "")
            columns.append(
                {"id": column.id, "label": label, "items": [w.id for w in column.widgets]}
            )
            for w_index, widget in enumerate(column.widgets):
                widget_type = types.get(widget.type)
                widgets.append(
                    EditorWidget(
                        id=widget.id,
                        type=widget.type,
                        label=widget_type.label if widget_type else widget.type,
                        icon=widget_type.icon if widget_type else "square",
                        summary=_summary(widget.type, widget.config),
                        column=column.id,
                        index=w_index,
                        column_size=len(column.widgets),
                        section_index=s_index,
                        column_index=c_index,
                        section_columns=count,
                    )
                )
    return columns, widgets, sections


def _as_form_values(config: dict[str, Any]) -> dict[str, str]:
    values = {}
    for key, value in config.items():
        if isinstance(value, bool):
            values[key] = "on" if value else ""
        elif isinstance(value, list):
            # A list of records (say links) is one line per item: "value | value".
            values[key] = "\n".join(
                " | ".join(str(v) for v in item.values()) if isinstance(item, dict) else str(item)
                for item in value
            )
        else:
            values[key] = str(value)
    return values


def _list_items(field: EditorField, raw: object) -> list[Any]:
    lines = [line.strip() for line in str(raw or "").splitlines() if line.strip()]
    if not field.columns:
        return lines
    items = []
    for line in lines:
        # The last column takes the rest of the line (an address may hold a "|").
        parts = line.split("|", len(field.columns) - 1)
        parts += [""] * (len(field.columns) - len(parts))
        items.append({name: part.strip() for name, part in zip(field.columns, parts, strict=True)})
    return items


def _page_id_from_path(path: str) -> str:
    return (path or "").rstrip("/").rsplit("/", 1)[-1][:20]


class EditorState(SessionState):
    draft: DraftView | None = None
    board_columns: list[dict[str, Any]] = []
    widgets: list[EditorWidget] = []
    sections: list[EditorSection] = []
    board_revision: int = 0
    # "saved", "saving", "failed" or "conflict"
    save_status: str = "saved"
    save_message: str = ""

    selected_id: str = ""
    selected_type: str = ""
    selected_config: dict[str, Any] = {}
    config_error: str = ""
    config_error_field: str = ""
    # The selected widget's settings as text, for the generated property form.
    form_values: dict[str, str] = {}
    form_field_rows: list[FormFieldRow] = []

    undo_snapshot: dict[str, Any] = {}
    undo_label: str = ""

    settings_open: bool = False
    settings_error: str = ""
    parent_choices: list[NavPage] = []

    history_open: bool = False
    versions: list[VersionRow] = []

    share_open: bool = False
    staff_access: str = "all"
    staff_choices: list[Choice] = []
    chosen_staff: list[str] = []
    grant_choices: list[GrantChoice] = []
    subscriber_choices: list[Choice] = []
    chosen_subscribers: list[str] = []
    home_choices: list[Choice] = []

    # --- loading ------------------------------------------------------------------------

    def _show(self, draft: DraftView) -> None:
        self.draft = draft
        self.board_columns, self.widgets, self.sections = _flatten(draft)
        if self.selected_id and not any(w.id == self.selected_id for w in self.widgets):
            self._select("")
        elif self.selected_id:
            self._select(self.selected_id)

    def _select(self, widget_id: str) -> None:
        self.selected_id = widget_id
        self.config_error = self.config_error_field = ""
        widget = None
        if self.draft is not None and widget_id:
            widget = next(
                (
                    w
                    for s in self.draft.sections
                    for c in s.columns
                    for w in c.widgets
                    if w.id == widget_id
                ),
                None,
            )
        self.selected_type = widget.type if widget else ""
        self.selected_config = dict(widget.config) if widget else {}
        self.form_values = _as_form_values(self.selected_config)
        builder = self._field_of_kind("form_fields")
        questions = self.selected_config.get(builder.name, []) if builder else []
        self.form_field_rows = [
            FormFieldRow(
                id=f["id"],
                label=f["label"],
                kind=f["kind"],
                required=f["required"],
                options=", ".join(f.get("options", [])),
            )
            for f in questions
        ]

    def _field_of_kind(self, kind: str) -> EditorField | None:
        """The selected widget's property of an editor kind ("rich_text", "form_fields"):
        the type says whether it has one, the editor doesn't guess from its name."""
        widget_type = widget_types().get(self.selected_type)
        return widget_type.editor_field(kind) if widget_type else None

    @rx.event
    @shows_refusals(on_load=True, reset=("draft",))
    async def load(self):
        self.save_status, self.save_message = "saved", ""
        self.undo_snapshot, self.undo_label = {}, ""
        self.selected_id = ""
        draft = await self._call(drafts.get_draft, _page_id_from_path(self.router.url.path))
        self._show(draft)
        self._select("")
        self.page_status = "ready"
        # A dialog left open when the person went elsewhere doesn't reopen, and a new
        # link's address shown then is gone.
        self.share_open = self.history_open = self.settings_open = False
        return PageSharingState.forget_link

    @rx.event
    @shows_refusals()
    async def reload(self):
        if self.draft is None:
            return None
        self._show(await self._call(drafts.get_draft, self.draft.id))
        self.save_status, self.save_message = "saved", ""
        return rx.toast.info("The editor now shows the latest draft.")

    # --- operations ---------------------------------------------------------------------

    async def _apply(self, operation: str, arguments: dict[str, Any]) -> DraftView | None:
        if self.draft is None:
            return None
        try:
            draft = await self._call(
                drafts.edit_draft, self.draft.id, self.draft.revision, operation, arguments
            )
        except Conflict as error:
            self.save_status, self.save_message = "conflict", str(error)
            self.board_revision += 1
            return None
        except Invalid as error:
            self.save_status, self.save_message = "failed", str(error)
            self.board_revision += 1
            raise
        self.save_status, self.save_message = "saved", ""
        self._show(draft)
        return draft

    async def _operate(self, operation: str, arguments: dict[str, Any], done: str = ""):
        """Apply one operation; the calling handler shows a refusal (``shows_refusals``)."""
        self.save_status = "saving"
        draft = await self._apply(operation, arguments)
        if draft is not None and done:
            return rx.toast.success(done)
        return None

    @rx.event
    @shows_refusals()
    async def move_widget(self, widget_id: str, column: str, index: int):
        return await self._operate(
            "move_widget", {"widget_id": widget_id, "column": column, "index": index}
        )

    @rx.event
    @shows_refusals()
    async def add_widget(self, type_name: str, column: str, index: int):
        self.save_status = "saving"
        draft = await self._apply(
            "add_widget", {"type_name": type_name, "column": column, "index": index}
        )
        if draft is not None and draft.touched_widget:
            self._select(draft.touched_widget)
        return None

    @rx.event
    async def add_to_first_column(self, type_name: str):
        """The palette's keyboard/click alternative: add at the end of the first column."""
        if not self.board_columns:
            return None
        first = self.board_columns[0]
        return await self.add_widget(type_name, first["id"], len(first["items"]))

    @rx.event
    async def nudge(self, widget_id: str, direction: str):
        """Keyboard alternative to dragging: move up, down, left or right."""
        widget = next((w for w in self.widgets if w.id == widget_id), None)
        if widget is None:
            return None
        column, index = widget.column, widget.index
        section_id = column.rsplit(":", 1)[0]
        if direction == "up" and index > 0:
            index -= 1
        elif direction == "down" and index < widget.column_size - 1:
            index += 1
        elif direction == "left" and widget.column_index > 0:
            column = f"{section_id}:{widget.column_index - 1}"
        elif direction == "right" and widget.column_index < widget.section_columns - 1:
            column = f"{section_id}:{widget.column_index + 1}"
        else:
            return None
        return await self.move_widget(widget_id, column, index)

    @rx.event
    def select(self, widget_id: str):
        self._select(str(widget_id)[:20])

    @rx.event
    @shows_refusals()
    async def duplicate(self, widget_id: str):
        self.save_status = "saving"
        draft = await self._apply("duplicate_widget", {"widget_id": widget_id})
        if draft is not None and draft.touched_widget:
            self._select(draft.touched_widget)
            return rx.toast.success("Widget duplicated.")
        return None

    @rx.event
    @shows_refusals()
    async def delete(self, widget_id: str):
        label = next((w.label for w in self.widgets if w.id == widget_id), "Widget")
        self.save_status = "saving"
        draft = await self._apply("delete_widget", {"widget_id": widget_id})
        if draft is not None:
            self.undo_snapshot, self.undo_label = dict(draft.undo), label
        return None

    @rx.event
    @shows_refusals()
    async def undo_delete(self):
        if not self.undo_snapshot:
            return None
        snapshot, self.undo_snapshot, self.undo_label = self.undo_snapshot, {}, ""
        return await self._operate("restore_widget", {"snapshot": snapshot}, "Widget restored.")

    @rx.event
    def dismiss_undo(self):
        self.undo_snapshot, self.undo_label = {}, ""

    @rx.event
    @shows_refusals()
    async def add_section(self, columns: int):
        return await self._operate("add_section", {"columns": columns})

    @rx.event
    @shows_refusals()
    async def set_section_columns(self, section_id: str, columns: str):
        return await self._operate(
            "set_section_columns",
            {
                "section_id": section_id,
                "columns": int(columns) if str(columns).isdigit() else columns,
            },
        )

    @rx.event
    @shows_refusals()
    async def move_section(self, section_id: str, index: int):
        return await self._operate("move_section", {"section_id": section_id, "index": index})

    @rx.event
    @shows_refusals()
    async def remove_section(self, section_id: str):
        return await self._operate("remove_section", {"section_id": section_id}, "Section removed.")

    # --- properties ---------------------------------------------------------------------

    def _config_from_form(self, form: dict[str, Any]) -> dict[str, Any]:
        """Turn the generated property form's fields back into a config dict (the
        server validates it with the type's Config model)."""
        widget_type = widget_types().get(self.selected_type)
        if widget_type is None:
            return {}
        config: dict[str, Any] = dict(self.selected_config)
        for field in widget_type.editor_fields():
            raw = form.get(field.name)
            if field.kind == "checkbox":
                config[field.name] = raw in ("on", True, "true")
            elif field.kind in ("rich_text", "file"):
                if field.kind == "file" and raw not in (None, ""):
                    config[field.name] = int(raw) if str(raw).isdigit() else raw
            elif field.kind == "number":
                config[field.name] = int(raw) if str(raw or "").lstrip("-").isdigit() else raw
            elif field.kind == "list":
                config[field.name] = _list_items(field, raw)
            elif field.kind == "form_fields":
                config[field.name] = self._form_fields_from_form(form)
            elif raw is not None:
                config[field.name] = raw
        return config

    def _form_fields_from_form(self, form: dict[str, Any]) -> list[dict[str, Any]]:
        fields = []
        for index, row in enumerate(self.form_field_rows):
            label = str(form.get(f"field_{index}_label", row.label)).strip()
            field_id = row.id or re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
            options = [
                o.strip()
                for o in str(form.get(f"field_{index}_options", "")).split(",")
                if o.strip()
            ]
            fields.append(
                {
                    "id": field_id or f"field_{index + 1}",
                    "label": label,
                    "kind": str(form.get(f"field_{index}_kind", row.kind)),
                    "required": form.get(f"field_{index}_required") in ("on", True, "true"),
                    "options": options,
                }
            )
        return fields

    @rx.event
    @shows_refusals(invalid="config_error", invalid_field="config_error_field")
    async def save_properties(self, form: dict[str, Any]):
        if not self.selected_id:
            return None
        config = self._config_from_form(form)
        self.save_status = "saving"
        await self._apply("update_widget", {"widget_id": self.selected_id, "config": config})
        self.config_error = self.config_error_field = ""
        return rx.toast.success("Saved.")

    @rx.event
    @shows_refusals()
    async def save_rich_text(self, html: str):
        """Autosave of the rich text editor (debounced in the browser)."""
        field = self._field_of_kind("rich_text")
        if not self.selected_id or field is None:
            return None
        if self.selected_config.get(field.name) == html:
            return None
        self.save_status = "saving"
        config = {**self.selected_config, field.name: html}
        await self._apply("update_widget", {"widget_id": self.selected_id, "config": config})
        return None

    @rx.event
    @shows_refusals()
    async def rich_text_image_uploaded(self, result: dict[str, Any]):
        """An image uploaded from the rich text panel joins the text where it ends."""
        if not isinstance(result, dict) or not result.get("ok"):
            message = str((result or {}).get("message", "")) if isinstance(result, dict) else ""
            return rx.toast.error(message) if message else None
        file_id = result.get("id")
        field = self._field_of_kind("rich_text")
        if field is None or not isinstance(file_id, int) or file_id <= 0:
            return None
        alt = html_escape(str(result.get("name", ""))[:200])
        html = (
            str(self.selected_config.get(field.name, ""))
            + f'<p><img src="/files/{file_id}" alt="{alt}"></p>'
        )
        self.save_status = "saving"
        config = {**self.selected_config, field.name: html}
        await self._apply("update_widget", {"widget_id": self.selected_id, "config": config})
        return rx.toast.success("Image added to the text.")

    @rx.event
    def add_form_field(self):
        self.form_field_rows = [
            *self.form_field_rows,
            FormFieldRow(id="", label="New question", kind="text", required=False, options=""),
        ]

    @rx.event
    def remove_form_field(self, index: int):
        rows = list(self.form_field_rows)
        if isinstance(index, int) and 0 <= index < len(rows):
            rows.pop(index)
        self.form_field_rows = rows

    @rx.event
    def file_uploaded(self, result: dict[str, Any]):
        if not isinstance(result, dict) or not result.get("ok"):
            message = str((result or {}).get("message", "")) if isinstance(result, dict) else ""
            return rx.toast.error(message) if message else None
        return rx.toast.success(f"Uploaded {str(result.get('name', ''))[:100]}. Save to use it.")

    # --- publish, settings, history -------------------------------------------------------

    @rx.event
    @shows_refusals()
    async def publish(self):
        if self.draft is None:
            return None
        try:
            number = await self._call(drafts.publish, self.draft.id, self.draft.revision)
            self._show(await self._call(drafts.get_draft, self.draft.id))
        except Conflict as error:
            self.save_status, self.save_message = "conflict", str(error)
            return None
        return rx.toast.success(f"Published as version {number}.")

    @rx.event
    async def open_settings(self):
        self.settings_error = ""
        self.parent_choices = [
            p for p in self.nav_pages if self.draft is None or p.id != self.draft.id
        ]
        self.settings_open = True

    @rx.event
    def set_settings_open(self, value: bool):
        self.settings_open = bool(value)

    @rx.event
    @shows_refusals(invalid="settings_error")
    async def save_settings(self, form: dict[str, Any]):
        if self.draft is None:
            return None
        try:
            draft = await self._call(
                pages.update_page_settings,
                self.draft.id,
                self.draft.revision,
                form.get("title", ""),
                form.get("slug", ""),
                form.get("icon", ""),
                form.get("parent", "0"),
            )
        except Conflict as error:
            self.settings_error = str(error)
            return None
        self._show(draft)
        self.settings_open = False
        return [rx.toast.success("Page settings saved."), SessionState.open_page]

    @rx.event
    @shows_refusals()
    async def open_history(self):
        if self.draft is None:
            return None
        self.versions = await self._call(drafts.list_versions, self.draft.id)
        self.history_open = True
        return None

    @rx.event
    def set_history_open(self, value: bool):
        self.history_open = bool(value)

    @rx.event
    @shows_refusals()
    async def restore(self, number: int):
        if self.draft is None:
            return None
        try:
            draft = await self._call(
                drafts.restore_version, self.draft.id, number, self.draft.revision
            )
        except Conflict as error:
            self.save_status, self.save_message = "conflict", str(error)
            self.history_open = False
            return None
        self._show(draft)
        self._select("")
        self.history_open = False
        return rx.toast.success(f"Version {number} is back in the draft. Publish to make it live.")

    @rx.event
    @shows_refusals()
    async def delete_page(self):
        if self.draft is None:
            return None
        await self._call(pages.archive_page, self.draft.id)
        return [rx.toast.success("Page deleted."), rx.redirect("/")]

    # --- sharing: permissions, subscribers, home ----------------------------------------

    @rx.event
    @shows_refusals()
    async def open_share(self):
        if self.draft is None:
            return None
        permissions = await self._call(grants.get_permissions, self.draft.id)
        everyone = await self._call(people.list_people)
        orgs = await self._call(organizations.organization_choices)
        subscribers = await self._call(subscriptions.list_subscribers, self.draft.id)
        levels = {f"{g.kind}:{g.id}": g.level for g in permissions.grants}
        self.staff_access = permissions.staff_access
        self.staff_choices = [
            Choice(str(p.id), p.name) for p in everyone if p.role != "limited" and p.active
        ]
        self.chosen_staff = [str(i) for i in permissions.staff_ids]
        self.grant_choices = [
            *[
                GrantChoice(f"organization:{o.id}", o.name, levels.get(f"organization:{o.id}", ""))
                for o in orgs
            ],
            *[
                GrantChoice(
                    f"person:{p.id}",
                    f"{p.name} ({p.organization_name})",
                    levels.get(f"person:{p.id}", ""),
                )
                for p in everyone
                if p.role == "limited" and p.active
            ],
        ]
        self.subscriber_choices = [Choice(str(p.id), p.name) for p in everyone if p.active]
        self.chosen_subscribers = [str(i) for i in subscribers]
        self.home_choices = [
            Choice("0", "Everyone (the portal's home page)"),
            *[Choice(str(o.id), o.name) for o in orgs],
        ]
        self.share_open = True
        # The "Others outside your organization" tab: its policy and the page's shares.
        return PageSharingState.load

    @rx.event
    def set_share_open(self, value: bool):
        self.share_open = bool(value)
        if not self.share_open:
            # A new link's address is shown once: it goes when the dialog does.
            return PageSharingState.forget_link
        return None

    @rx.event
    def set_staff_access(self, value: str):
        self.staff_access = "restricted" if value == "restricted" else "all"

    @rx.event
    def toggle_staff(self, user_id: str, chosen: bool):
        rest = [i for i in self.chosen_staff if i != user_id]
        self.chosen_staff = [*rest, user_id] if chosen else rest

    @rx.event
    def set_grant(self, key: str, level: str):
        self.grant_choices = [
            GrantChoice(g.key, g.name, "" if level == "none" else level) if g.key == key else g
            for g in self.grant_choices
        ]

    @rx.event
    def toggle_subscriber(self, user_id: str, chosen: bool):
        rest = [i for i in self.chosen_subscribers if i != user_id]
        self.chosen_subscribers = [*rest, user_id] if chosen else rest

    @rx.event
    @shows_refusals()
    async def save_share(self):
        if self.draft is None:
            return None
        chosen = [
            {"kind": g.key.split(":")[0], "id": g.key.split(":")[1], "level": g.level}
            for g in self.grant_choices
            if g.level
        ]
        await self._call(
            grants.set_permissions,
            self.draft.id,
            self.staff_access,
            self.chosen_staff if self.staff_access == "restricted" else [],
            chosen,
        )
        await self._call(subscriptions.set_subscribers, self.draft.id, self.chosen_subscribers)
        self.share_open = False
        shared = len(chosen)
        return [
            PageSharingState.forget_link,
            rx.toast.success(
                f"Permissions saved: shared with {shared} client{'s' if shared != 1 else ''}."
                if shared
                else "Permissions saved: no client sees this page."
            ),
        ]

    @rx.event
    @shows_refusals()
    async def make_home(self, organization_id: str):
        if self.draft is None:
            return None
        await self._call(pages.set_home, self.draft.id, organization_id)
        return rx.toast.success("Home page set.")
