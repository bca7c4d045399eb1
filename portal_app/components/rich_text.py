"""Rich text editor (Tiptap) that delivers HTML to the server.

The server sanitizes what arrives (nh3) and stores it; this component only edits::

    from portal_app.components.rich_text import rich_text_editor

    rich_text_editor(
        content=PageEditorState.body_html,  # initial / server value
        on_change=PageEditorState.set_body_html,  # (html), debounced while typing
        editable=PageEditorState.can_edit,
        label="Page text",  # accessible name of the text box
        placeholder="Write something for your clients…",
    )

- ``content`` is applied whenever the server sends a new value, except while the
  person is typing in this editor: then it is applied when the editor loses focus,
  unless the editor just sent a newer text itself. So the server may echo
  (sanitized) HTML back without moving the caret.
- ``on_change(html)`` fires ``debounce_ms`` (default 400) after typing stops, and
  on blur; ``on_blur(html)`` fires on every blur. An empty document is ``""``.
- The toolbar (one tab stop, arrow keys between buttons; every button has an
  aria-label, toggles have aria-pressed): Heading 2, Heading 3, Bold, Italic, Link
  (asks for the address; empty removes it), Bulleted list, Numbered list, Insert
  table, Undo, Redo. Read-only (``editable=False``) hides the toolbar.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_lucide.icon import LUCIDE_LIBRARY

_GLUE = rx.asset("rich_text_glue.jsx", shared=True)

TIPTAP_VERSION = "3.32.2"
RICH_TEXT_PACKAGES = [
    f"@tiptap/{name}@{TIPTAP_VERSION}"
    for name in (
        "core",
        "pm",
        "react",
        "starter-kit",
        "extension-link",
        "extension-image",
        "extension-table",
        "extensions",  # Placeholder
    )
] + [LUCIDE_LIBRARY]  # the toolbar icons; the same pin rx.icon uses


class RichTextEditor(rx.NoSSRComponent):
    """The editor; use :func:`rich_text_editor`."""

    library = _GLUE.importable_path
    lib_dependencies: list[str] = RICH_TEXT_PACKAGES
    tag = "RichTextEditor"

    # HTML from the server.
    content: rx.Var[str]
    editable: rx.Var[bool]
    # Accessible name of the text box (and of its toolbar: "<label> formatting").
    label: rx.Var[str]
    debounce_ms: rx.Var[int]
    # CSS length, e.g. "16rem".
    min_height: rx.Var[str]
    # Shown in an empty editor.
    placeholder: rx.Var[str]

    on_change: rx.EventHandler[lambda html: [html]]
    on_blur: rx.EventHandler[lambda html: [html]]


def rich_text_editor(content: Any = "", **props: Any) -> rx.Component:
    """A rich text editor; see the module docstring."""
    return RichTextEditor.create(content=content, **props)
