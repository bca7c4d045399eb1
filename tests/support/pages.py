"""Building pages through the services, the way staff do in the editor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal_app.access import Actor
from portal_app.services import drafts, grants, pages


@dataclass
class BuiltPage:
    id: int
    slug: str
    # widget type name -> the id of the (first) widget of that type
    widgets: dict[str, str] = field(default_factory=dict)

    def widget(self, type_name: str) -> str:
        return self.widgets[type_name]


def revision(editor: Actor, page_id: int) -> int:
    return drafts.get_draft(editor, page_id).revision


def first_column(editor: Actor, page_id: int) -> str:
    return drafts.get_draft(editor, page_id).sections[0].columns[0].id


def add_widget(
    editor: Actor, page_id: int, type_name: str, config: dict[str, Any] | None = None
) -> str:
    draft = drafts.edit_draft(
        editor,
        page_id,
        revision(editor, page_id),
        "add_widget",
        {"type_name": type_name, "column": first_column(editor, page_id), "index": 99},
    )
    widget_id = draft.touched_widget
    if config is not None:
        drafts.edit_draft(
            editor,
            page_id,
            draft.revision,
            "update_widget",
            {"widget_id": widget_id, "config": config},
        )
    return widget_id


def build_page(
    editor: Actor,
    title: str,
    widgets: list[tuple[str, dict[str, Any] | None]] = (),  # type: ignore[assignment]
    *,
    organizations: dict[int, str] | None = None,
    people: dict[int, str] | None = None,
    publish: bool = True,
    parent_id: int = 0,
) -> BuiltPage:
    """Create a page with ``widgets`` (type, config), grant it to ``organizations`` /
    ``people`` ({id: "view" | "contribute"}) and publish it."""
    draft = pages.create_page(editor, title, parent_id)
    built = BuiltPage(id=draft.id, slug=draft.slug)
    for type_name, config in widgets:
        widget_id = add_widget(editor, draft.id, type_name, config)
        built.widgets.setdefault(type_name, widget_id)
    wanted = [
        {"kind": "organization", "id": org_id, "level": level}
        for org_id, level in (organizations or {}).items()
    ] + [{"kind": "person", "id": uid, "level": level} for uid, level in (people or {}).items()]
    if wanted:
        grants.set_permissions(editor, draft.id, "all", [], wanted)
    if publish:
        drafts.publish(editor, draft.id, revision(editor, draft.id))
    return built
