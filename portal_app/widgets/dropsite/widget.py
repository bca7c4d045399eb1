"""Dropsite: clients send files to the firm from a page (upload-only: what they send
lands in their organization's Received area, which only staff see)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words


class DropsiteConfig(WidgetConfig):
    title: str = Field(default="Send us files", max_length=200, title="Title")
    instructions: str = Field(
        default="",
        max_length=2000,
        title="Instructions",
        description="What to send, and anything the sender should know.",
        json_schema_extra={"editor": "long_text"},
    )
    ask_message: bool = Field(default=True, title="Ask for a message with the files")


class Dropsite(WidgetType):
    name = "dropsite"
    label = "Dropsite"
    icon = "inbox"
    description = "Clients send you files: upload-only, into their Received folder."
    Config = DropsiteConfig
    palette_position = 45
    # Sending needs the page's contribute grant. The files don't belong to the widget
    # (no widget uploads): they become documents of the sender's organization.
    accepts_contributions = True

    def search_text(self, config: dict[str, Any]) -> str:
        return search_words(config.get("title"), config.get("instructions"))
