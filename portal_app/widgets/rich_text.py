"""Rich text: formatted text written in the editor, sanitized on the server."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from portal_app.services.html import MAX_HTML_LENGTH, sanitize_html
from portal_app.widgets.base import WidgetConfig, WidgetType


class RichTextConfig(WidgetConfig):
    html: str = Field(
        default="<p></p>",
        max_length=MAX_HTML_LENGTH,
        title="Text",
        json_schema_extra={"editor": "rich_text"},
    )


class RichText(WidgetType):
    name = "rich_text"
    label = "Rich text"
    icon = "text"
    description = "Headings, paragraphs, lists, links and tables."
    Config = RichTextConfig

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return {**config, "html": sanitize_html(config["html"])}

    def view(self, widget: Any) -> Any:
        import reflex as rx

        # Stored HTML is sanitized on the way in (clean_config); rendering it is safe.
        return rx.box(
            rx.html(widget.config["html"].to(str)), class_name="portal-prose", width="100%"
        )
