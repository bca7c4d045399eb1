"""File attachments: files staff add to a page (and, when the widget allows it, clients
who may contribute), downloaded through an authorizing route."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words


class AttachmentsConfig(WidgetConfig):
    title: str = Field(default="Files", max_length=200, title="Title")
    description: str = Field(
        default="", max_length=1000, title="Description", json_schema_extra={"editor": "long_text"}
    )
    contributors_may_upload: bool = Field(
        default=False, title="Clients who may contribute can add files"
    )


class Attachments(WidgetType):
    name = "attachments"
    label = "File attachments"
    icon = "paperclip"
    description = "Files to download: contracts, reports, instructions."
    Config = AttachmentsConfig
    palette_position = 40
    staff_uploads = True

    def takes_contributor_uploads(self, config: dict[str, Any]) -> bool:
        return config.get("contributors_may_upload") is True

    def search_text(self, config: dict[str, Any]) -> str:
        return search_words(config.get("title"), config.get("description"))
