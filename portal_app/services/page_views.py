"""What page screens show: plain data sent to browsers (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal_app.services import layouts


@dataclass(frozen=True)
class NavPage:
    id: int
    title: str
    slug: str
    icon: str
    depth: int
    is_home: bool
    published: bool


@dataclass(frozen=True)
class WidgetView:
    id: str
    type: str
    config: dict[str, Any]


@dataclass(frozen=True)
class ColumnView:
    id: str
    widgets: list[WidgetView]


@dataclass(frozen=True)
class SectionView:
    id: str
    columns: list[ColumnView]


@dataclass(frozen=True)
class PageView:
    id: int
    title: str
    slug: str
    icon: str
    sections: list[SectionView]
    version: int
    is_home: bool
    can_edit: bool
    can_contribute: bool
    subscribed: bool


@dataclass(frozen=True)
class DraftView:
    id: int
    title: str
    slug: str
    icon: str
    parent_id: int
    revision: int
    sections: list[SectionView]
    published_version: int
    has_unpublished_changes: bool
    updated: str
    # Set by operations that create or delete something (for focus and undo).
    touched_widget: str = ""
    undo: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionRow:
    number: int
    title: str
    author: str
    created: str
    note: str
    live: bool


def sections_of(layout: layouts.Layout) -> list[SectionView]:
    return [
        SectionView(
            id=section["id"],
            columns=[
                ColumnView(
                    id=layouts.column_id(section["id"], index),
                    widgets=[
                        WidgetView(
                            id=wid,
                            type=layout["widgets"][wid]["type"],
                            config=layout["widgets"][wid]["config"],
                        )
                        for wid in column
                        if wid in layout["widgets"]
                    ],
                )
                for index, column in enumerate(section["columns"])
            ],
        )
        for section in layout["sections"]
    ]


def when(value) -> str:
    return value.strftime("%d %b %Y, %H:%M")
