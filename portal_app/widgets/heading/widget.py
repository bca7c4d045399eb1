"""Structure: a section heading, and a divider."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words


class HeadingConfig(WidgetConfig):
    text: str = Field(default="Section", min_length=1, max_length=200, title="Heading")
    size: Literal["large", "medium"] = Field(default="large", title="Size")


class Heading(WidgetType):
    name = "heading"
    label = "Heading"
    icon = "heading"
    description = "A title that structures the page."
    Config = HeadingConfig
    palette_position = 20

    def search_text(self, config: dict[str, Any]) -> str:
        return search_words(config.get("text"))


class DividerConfig(WidgetConfig):
    pass


class Divider(WidgetType):
    name = "divider"
    label = "Divider"
    icon = "minus"
    description = "A line between parts of the page."
    Config = DividerConfig
    palette_position = 30

    def search_text(self, config: dict[str, Any]) -> str:
        return ""
