"""Document library: a folder of each client's shared documents on any page. One page
granted to many clients shows each of them their own organization's folder."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words


class LibraryConfig(WidgetConfig):
    title: str = Field(default="Documents", max_length=200, title="Title")
    folder: str = Field(
        default="",
        max_length=300,
        title="Folder",
        description=(
            "A folder inside each client's shared documents, such as Contracts/2026. "
            "Empty: the top of their shared documents."
        ),
    )
    contributors_may_upload: bool = Field(
        default=False, title="Clients who may contribute can upload"
    )


class Library(WidgetType):
    name = "library"
    label = "Document library"
    icon = "library"
    description = "Each client's own documents from a folder of their space."
    Config = LibraryConfig
    palette_position = 42
    accepts_contributions = True

    def search_text(self, config: dict[str, Any]) -> str:
        return search_words(config.get("title"))
