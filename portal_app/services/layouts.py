"""Page layouts as data: sections of one to three columns holding widget ids, and each
widget's type and config. Every change a browser asks for goes through here and is
checked: unknown widgets, unknown types and malformed ids are refused."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from portal_app.errors import Invalid
from portal_app.ids import WIDGET_ID, new_section_id, new_widget_id
from portal_app.models.pages import load_layout
from portal_app.widgets.registry import get_type

Layout = dict[str, Any]
MAX_SECTIONS = 50
MAX_WIDGETS = 200


def empty_layout() -> Layout:
    return {"sections": [{"id": new_section_id(), "columns": [[]]}], "widgets": {}}


def load(text: str) -> Layout:
    return load_layout(text)


def dump(layout: Layout) -> str:
    return json.dumps(layout, separators=(",", ":"), sort_keys=True)


def column_id(section_id: str, index: int) -> str:
    return f"{section_id}:{index}"


def _find_section(layout: Layout, section_id: object) -> dict[str, Any]:
    for section in layout["sections"]:
        if section["id"] == section_id:
            return section
    raise Invalid("That part of the page no longer exists. Reload the editor.")


def _find_column(layout: Layout, column: object) -> list[str]:
    if not isinstance(column, str) or ":" not in column:
        raise Invalid("That column no longer exists. Reload the editor.")
    section_id, _, index = column.partition(":")
    section = _find_section(layout, section_id)
    # ASCII digits only: "²".isdigit() is true but int() refuses it, and a long digit
    # string exceeds int()'s conversion limit; both must read as "no such column".
    if not re.fullmatch(r"[0-9]{1,3}", index) or int(index) >= len(section["columns"]):
        raise Invalid("That column no longer exists. Reload the editor.")
    return section["columns"][int(index)]


def _locate(layout: Layout, widget_id: object) -> tuple[list[str], int]:
    if not isinstance(widget_id, str) or widget_id not in layout["widgets"]:
        # Including ids of other pages' widgets: a layout only knows its own.
        raise Invalid("That widget isn't on this page. Reload the editor.")
    for section in layout["sections"]:
        for column in section["columns"]:
            if widget_id in column:
                return column, column.index(widget_id)
    raise Invalid("That widget isn't on this page. Reload the editor.")


def _index(value: object, upper: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("That position isn't valid.")
    return max(0, min(value, upper))


def _columns_count(value: object) -> int:
    if isinstance(value, bool) or value not in (1, 2, 3):
        raise Invalid("A section has one, two or three columns.")
    return int(value)  # type: ignore[arg-type]


# --- operations: each returns the id it created or touched, when there is one ----------


def add_section(layout: Layout, columns: object = 1, index: object = None) -> str:
    if len(layout["sections"]) >= MAX_SECTIONS:
        raise Invalid(f"A page holds at most {MAX_SECTIONS} sections.")
    count = _columns_count(columns)
    at = len(layout["sections"]) if index is None else _index(index, len(layout["sections"]))
    section = {"id": new_section_id(), "columns": [[] for _ in range(count)]}
    layout["sections"].insert(at, section)
    return section["id"]


def set_section_columns(layout: Layout, section_id: object, columns: object) -> None:
    """Fewer columns: the widgets of removed columns move to the last one kept."""
    section = _find_section(layout, section_id)
    count = _columns_count(columns)
    current = section["columns"]
    if count < len(current):
        kept, removed = current[:count], current[count:]
        for column in removed:
            kept[-1].extend(column)
        section["columns"] = kept
    else:
        section["columns"] = current + [[] for _ in range(count - len(current))]


def move_section(layout: Layout, section_id: object, index: object) -> None:
    section = _find_section(layout, section_id)
    layout["sections"].remove(section)
    layout["sections"].insert(_index(index, len(layout["sections"])), section)


def remove_section(layout: Layout, section_id: object) -> None:
    section = _find_section(layout, section_id)
    if any(section["columns"]):
        raise Invalid("Move or delete this section's widgets first.")
    if len(layout["sections"]) == 1:
        raise Invalid("A page keeps at least one section.")
    layout["sections"].remove(section)


def add_widget(layout: Layout, type_name: object, column: object, index: object) -> str:
    widget_type = get_type(type_name)
    if len(layout["widgets"]) >= MAX_WIDGETS:
        raise Invalid(f"A page holds at most {MAX_WIDGETS} widgets.")
    target = _find_column(layout, column)
    widget_id = new_widget_id()
    layout["widgets"][widget_id] = {
        "type": widget_type.name,
        "config": widget_type.default_config(),
    }
    target.insert(_index(index, len(target)), widget_id)
    return widget_id


def move_widget(layout: Layout, widget_id: object, column: object, index: object) -> None:
    source, position = _locate(layout, widget_id)
    target = _find_column(layout, column)
    source.pop(position)
    target.insert(_index(index, len(target)), widget_id)  # type: ignore[arg-type]


def update_widget(layout: Layout, widget_id: object, config: object) -> None:
    _locate(layout, widget_id)
    widget = layout["widgets"][widget_id]
    widget["config"] = get_type(widget["type"]).validate_config(config)


def duplicate_widget(layout: Layout, widget_id: object) -> str:
    column, position = _locate(layout, widget_id)
    if len(layout["widgets"]) >= MAX_WIDGETS:
        raise Invalid(f"A page holds at most {MAX_WIDGETS} widgets.")
    copy_id = new_widget_id()
    layout["widgets"][copy_id] = copy.deepcopy(layout["widgets"][widget_id])
    column.insert(position + 1, copy_id)
    return copy_id


def delete_widget(layout: Layout, widget_id: object) -> dict[str, Any]:
    """Remove a widget; return what ``restore_widget`` needs to undo it."""
    column, position = _locate(layout, widget_id)
    column.pop(position)
    widget = layout["widgets"].pop(widget_id)
    owner = next(
        column_id(section["id"], i)
        for section in layout["sections"]
        for i, candidate in enumerate(section["columns"])
        if candidate is column
    )
    return {
        "id": widget_id,
        "type": widget["type"],
        "config": widget["config"],
        "column": owner,
        "index": position,
    }


def restore_widget(layout: Layout, snapshot: object) -> str:
    """Undo a delete. The snapshot comes back from the browser, so it is checked like
    new input: a well-formed id not on the page, a known type, a valid config."""
    if not isinstance(snapshot, dict):
        raise Invalid("There's nothing to undo.")
    widget_id = snapshot.get("id")
    if not isinstance(widget_id, str) or not WIDGET_ID.match(widget_id):
        raise Invalid("There's nothing to undo.")
    if widget_id in layout["widgets"]:
        raise Invalid("That widget is already on the page.")
    widget_type = get_type(snapshot.get("type"))
    config = widget_type.validate_config(snapshot.get("config"))
    try:
        target = _find_column(layout, snapshot.get("column"))
    except Invalid:
        target = layout["sections"][-1]["columns"][-1]
    layout["widgets"][widget_id] = {"type": widget_type.name, "config": config}
    target.insert(_index(snapshot.get("index", 0), len(target)), widget_id)
    return widget_id


OPERATIONS = {
    "add_section": add_section,
    "set_section_columns": set_section_columns,
    "move_section": move_section,
    "remove_section": remove_section,
    "add_widget": add_widget,
    "move_widget": move_widget,
    "update_widget": update_widget,
    "duplicate_widget": duplicate_widget,
    "delete_widget": delete_widget,
    "restore_widget": restore_widget,
}


def apply(layout: Layout, operation: object, arguments: object) -> Any:
    """Apply one named operation to a copy-free layout (the caller saves it)."""
    if not isinstance(operation, str) or operation not in OPERATIONS:
        raise Invalid("The editor asked for something it can't do. Reload the editor.")
    if not isinstance(arguments, dict):
        raise Invalid("The editor sent something it can't read. Reload the editor.")
    try:
        return OPERATIONS[operation](layout, **arguments)
    except TypeError as exc:
        raise Invalid("The editor sent something it can't read. Reload the editor.") from exc


def widget_ids(layout: Layout) -> set[str]:
    return set(layout["widgets"])


def widget_of_type(layout: Layout, widget_id: object, type_name: str) -> dict[str, Any]:
    """The config of ``widget_id`` if it is on this layout and of ``type_name``."""
    widget = layout["widgets"].get(widget_id) if isinstance(widget_id, str) else None
    if widget is None or widget["type"] != type_name:
        raise Invalid("That widget isn't on this page.")
    return widget["config"]
