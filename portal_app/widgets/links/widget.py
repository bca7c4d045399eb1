"""A list of links (to other sites, documents, tools the client uses)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words


class LinkItem(WidgetConfig):
    label: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=2000)

    @field_validator("url")
    @classmethod
    def web_or_mail_only(cls, value: str) -> str:
        if not value.startswith(("https://", "http://", "mailto:", "/")):
            raise ValueError("links must start with https://, http://, mailto: or /")
        return value


class LinksConfig(WidgetConfig):
    title: str = Field(default="Useful links", max_length=200, title="Title")
    items: list[LinkItem] = Field(
        default_factory=list,
        max_length=100,
        title="Links",
        description="One per line: Label | https://address",
    )


class Links(WidgetType):
    name = "links"
    label = "Links"
    icon = "link"
    description = "A list of links to other sites or pages."
    Config = LinksConfig
    palette_position = 80

    def search_text(self, config: dict[str, Any]) -> str:
        items = config.get("items") or []
        return search_words(
            config.get("title"), [i.get("label", "") for i in items if isinstance(i, dict)]
        )
