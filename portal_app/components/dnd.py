"""Drag-and-drop board: columns of items that people reorder and fill from a palette.

Built on @dnd-kit (``dnd_glue.jsx`` next to this file). Python renders each item's
body with ordinary Reflex components; the board lays the bodies out in the order
``columns`` gives and reports every drop to the server, which stays the source of
truth::

    from portal_app.components import dnd

    dnd.board(
        dnd.source(rx.icon("text", size=16), "Text", type_name="text", label="Text block"),
        rx.foreach(
            EditorState.widgets,  # list[WidgetRow]
            lambda w: dnd.item(widget_card(w), item_id=w.id, label=w.title),
        ),
        columns=EditorState.columns,  # [{"id": "s1c0", "label": "Left", "items": ["w1"]}]
        on_move=EditorState.move_widget,  # (item_id, column_id, index)
        on_add=EditorState.add_widget,  # (type_name, column_id, index)
    )

- An item is moved with the pointer (drag its handle a few pixels) or the keyboard
  (focus its "Move <label>" handle, Space, arrow keys, Space; Escape cancels).
  ``index`` is the item's position in the target column after the move.
- After a drop the board shows the new order at once (optimistic) and the next
  ``columns`` from the server replaces it. A handler that refuses a move leaves
  ``columns`` as it was; Reflex then sends nothing the board can notice (an equal
  value keeps its old object), so the board shows the server's order again after
  3 s — or at once if the handler bumps the optional ``revision`` prop (an int
  state var), which makes the board take ``columns`` as they are.
- Ids are strings; an id in ``columns`` with no ``dnd.item`` renders as its id.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.constants import MemoizationMode

_GLUE = rx.asset("dnd_glue.jsx", shared=True)

DND_PACKAGES = [
    "@dnd-kit/core@6.3.1",
    "@dnd-kit/sortable@10.0.0",
    "@dnd-kit/utilities@3.2.2",
]


class _DndGlue(rx.NoSSRComponent):
    library = _GLUE.importable_path
    lib_dependencies: list[str] = DND_PACKAGES


class DndBoard(_DndGlue):
    """The board: palette sources and items as children, layout from ``columns``."""

    tag = "DndBoard"

    # The board reads its DndItem / DndSource children by their props, so the
    # compiler must not replace them with memoized wrappers.
    _memoization_mode = MemoizationMode(recursive=False)

    # [{"id": str, "label": str (optional), "items": [item ids]}], in display order.
    columns: rx.Var[list[dict[str, Any]]]
    # Heading above the palette.
    palette_label: rx.Var[str]
    # Shown inside an empty column.
    empty_text: rx.Var[str]
    # Level of the palette and column headings (h1-h6; default 3).
    heading_level: rx.Var[int]
    # Bump on the server to make the board re-apply ``columns`` now (e.g. after
    # refusing a move); see the module docstring.
    revision: rx.Var[int]

    on_move: rx.EventHandler[lambda item_id, column_id, index: [item_id, column_id, index]]
    on_add: rx.EventHandler[lambda type_name, column_id, index: [type_name, column_id, index]]


class DndItem(_DndGlue):
    """One item's body; the board adds its drag handle ("Move <label>")."""

    tag = "DndItem"

    item_id: rx.Var[str]
    label: rx.Var[str]


class DndSource(_DndGlue):
    """A palette entry that adds a new item of ``type_name`` where it is dropped."""

    tag = "DndSource"

    source_type: rx.Var[str]
    label: rx.Var[str]


def board(*children: rx.Component, columns: Any, **props: Any) -> rx.Component:
    """A drag-and-drop board; see the module docstring."""
    return DndBoard.create(*children, columns=columns, **props)


def item(*children: rx.Component, item_id: Any, label: Any) -> rx.Component:
    """An item of the board, identified by ``item_id`` (a string id used in ``columns``)."""
    return DndItem.create(*children, item_id=item_id, label=label)


def source(*children: rx.Component | str, type_name: Any, label: Any) -> rx.Component:
    """A palette entry; dropping it fires ``on_add(type_name, column_id, index)``."""
    return DndSource.create(*children, source_type=type_name, label=label)
