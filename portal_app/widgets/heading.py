"""Structure: a section heading, and a divider."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType


class HeadingConfig(WidgetConfig):
    text: str = Field(default="Section", min_length=1, max_length=200, title="Heading")
    size: Literal["large", "medium"] = Field(default="large", title="Size")


class Heading(WidgetType):
    name = "heading"
    label = "Heading"
    icon = "heading"
    description = "A title that structures the page."
    Config = HeadingConfig

    def view(self, widget: Any) -> Any:
        import reflex as rx

        text = widget.config["text"].to(str)
        return rx.cond(
            widget.config["size"].to(str) == "medium",
            rx.heading(text, as_="h3", size="4"),
            rx.heading(text, as_="h2", size="6"),
        )


class DividerConfig(WidgetConfig):
    pass


class Divider(WidgetType):
    name = "divider"
    label = "Divider"
    icon = "minus"
    description = "A line between parts of the page."
    Config = DividerConfig

    def view(self, widget: Any) -> Any:
        import reflex as rx

        return rx.separator(size="4", my="2")
