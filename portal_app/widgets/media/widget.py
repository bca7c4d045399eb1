"""Media: an image (with caption) or a video, uploaded or embedded from an allow-listed
host (YouTube, Vimeo)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words

_YOUTUBE = re.compile(
    r"^https://(?:www\.)?(?:youtube\.com/(?:watch\?v=|embed/)|youtu\.be/)([A-Za-z0-9_-]{6,20})"
)
_VIMEO = re.compile(r"^https://(?:player\.)?vimeo\.com/(?:video/)?(\d{4,12})")


def embed_address(url: str) -> str:
    """The embeddable player address for an allow-listed video URL, else ''."""
    if match := _YOUTUBE.match(url):
        return f"https://www.youtube-nocookie.com/embed/{match.group(1)}"
    if match := _VIMEO.match(url):
        return f"https://player.vimeo.com/video/{match.group(1)}"
    return ""


class MediaConfig(WidgetConfig):
    kind: Literal["image", "video"] = Field(default="image", title="Kind")
    file_id: int = Field(
        default=0, ge=0, title="Uploaded file", json_schema_extra={"editor": "file"}
    )
    video_url: str = Field(
        default="",
        max_length=500,
        title="Video address",
        description="A YouTube or Vimeo address (instead of a file).",
    )
    caption: str = Field(default="", max_length=500, title="Caption")
    alt_text: str = Field(default="", max_length=300, title="Description for screen readers")

    @field_validator("video_url")
    @classmethod
    def allow_listed_hosts_only(cls, value: str) -> str:
        if value and not embed_address(value):
            raise ValueError("only YouTube and Vimeo addresses can be embedded")
        return embed_address(value) if value else ""


class Media(WidgetType):
    name = "media"
    label = "Image or video"
    icon = "image"
    description = "An image with a caption, or a video."
    Config = MediaConfig
    palette_position = 50
    staff_uploads = True

    def search_text(self, config: dict[str, Any]) -> str:
        return search_words(config.get("caption"), config.get("alt_text"))
