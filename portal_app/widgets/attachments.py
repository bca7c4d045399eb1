"""File attachments: files staff add to a page, downloaded through an authorizing route."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType


class AttachmentsConfig(WidgetConfig):
    title: str = Field(default="Files", max_length=200, title="Title")
    description: str = Field(
        default="", max_length=1000, title="Description", json_schema_extra={"editor": "long_text"}
    )


class Attachments(WidgetType):
    name = "attachments"
    label = "File attachments"
    icon = "paperclip"
    description = "Files to download: contracts, reports, instructions."
    Config = AttachmentsConfig

    def view(self, widget: Any) -> Any:
        from portal_app.components.widget_views import attachments_view

        return attachments_view(widget)
