"""A list of links (to other sites, documents, tools the client uses)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from portal_app.widgets.base import WidgetConfig, WidgetType


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

    def view(self, widget: Any) -> Any:
        import reflex as rx

        items = widget.config["items"].to(list[dict[str, str]])
        return rx.vstack(
            rx.cond(
                widget.config["title"].to(str) != "",
                rx.heading(widget.config["title"].to(str), as_="h3", size="4"),
            ),
            rx.cond(
                items.length() > 0,
                rx.el.ul(
                    rx.foreach(
                        items,
                        lambda item: rx.el.li(
                            rx.link(
                                rx.hstack(
                                    rx.icon("external-link", size=14, aria_hidden="true"),
                                    rx.text(item["label"]),
                                    spacing="2",
                                    align="center",
                                ),
                                href=item["url"],
                                is_external=True,
                            ),
                            margin_y="0.25rem",
                        ),
                    ),
                    list_style_type="none",
                    padding="0",
                    margin="0",
                ),
                rx.text("No links yet.", color_scheme="gray", size="2"),
            ),
            spacing="2",
            width="100%",
        )
