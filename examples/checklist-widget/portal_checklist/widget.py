"""The checklist type: a title and the items to tick."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words

Item = Annotated[str, Field(min_length=1, max_length=200)]


class ChecklistConfig(WidgetConfig):
    title: str = Field(default="Checklist", max_length=200, title="Title")
    items: list[Item] = Field(
        default_factory=lambda: ["Read the brief", "Send us your logo"],
        max_length=100,
        title="Items",
        description="One per line. Each reader ticks them for themself.",
    )

    @field_validator("items")
    @classmethod
    def distinct(cls, items: list[str]) -> list[str]:
        # A tick refers to its item's text, so two items may not share one.
        if len({item.casefold() for item in items}) != len(items):
            raise ValueError("two items have the same text")
        return items


class Checklist(WidgetType):
    name = "checklist"  # stored in page layouts: never change it once used
    label = "Checklist"
    icon = "list-checks"
    description = "Steps each client ticks off for themself."
    Config = ChecklistConfig
    # Ticking is taking part: clients need the page's "contribute" grant.
    accepts_contributions = True

    def search_text(self, config: dict[str, Any]) -> str:
        return search_words(config.get("title"), config.get("items"))
