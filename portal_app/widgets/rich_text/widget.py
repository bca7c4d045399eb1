"""Rich text: formatted text written in the editor, sanitized on the server."""

from __future__ import annotations

import html
import re
from typing import Any

from pydantic import Field

from portal_app.services.html import MAX_HTML_LENGTH, sanitize_html
from portal_app.widgets.base import WidgetConfig, WidgetType, search_words

_TAG = re.compile(r"<[^>]+>")


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
    palette_position = 10
    # Images in the text come from the page's own files (the sanitizer drops others).
    staff_uploads = True

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return {**config, "html": sanitize_html(config["html"])}

    def search_text(self, config: dict[str, Any]) -> str:
        text = config.get("html")
        return search_words(html.unescape(_TAG.sub(" ", text)) if isinstance(text, str) else "")
