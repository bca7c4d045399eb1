"""Discussion: threaded comments; clients take part where the page grants contribute."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words


class DiscussionConfig(WidgetConfig):
    title: str = Field(default="Discussion", max_length=200, title="Title")
    allow_replies: bool = Field(default=True, title="Allow replies to comments")


class Discussion(WidgetType):
    name = "discussion"
    label = "Discussion"
    icon = "messages-square"
    description = "Comments and replies; @mention someone to notify them."
    Config = DiscussionConfig
    palette_position = 60
    accepts_contributions = True

    def search_text(self, config: dict[str, Any]) -> str:
        return search_words(config.get("title"))
