"""Media: an image (with caption) or a video, uploaded or embedded from an allow-listed
host (YouTube, Vimeo)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from portal_app.widgets.base import WidgetConfig, WidgetType

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

    def view(self, widget: Any) -> Any:
        import reflex as rx

        config = widget.config
        file_url = "/files/" + config["file_id"].to(int).to_string()
        has_file = config["file_id"].to(int) > 0
        caption = config["caption"].to(str)
        body = rx.cond(
            config["kind"].to(str) == "video",
            rx.cond(
                config["video_url"].to(str) != "",
                rx.el.iframe(
                    src=config["video_url"].to(str),
                    title=caption,
                    allow="fullscreen; picture-in-picture",
                    width="100%",
                    style={"aspectRatio": "16 / 9", "border": "0"},
                    sandbox="allow-scripts allow-same-origin allow-presentation",
                ),
                rx.cond(
                    has_file,
                    rx.video(src=file_url, controls=True, width="100%", height="auto"),
                    rx.text("No video chosen yet.", color_scheme="gray", size="2"),
                ),
            ),
            rx.cond(
                has_file,
                rx.image(
                    src=file_url,
                    alt=config["alt_text"].to(str),
                    width="100%",
                    border_radius="var(--radius-3)",
                ),
                rx.text("No image chosen yet.", color_scheme="gray", size="2"),
            ),
        )
        return rx.el.figure(
            body,
            rx.cond(
                caption != "", rx.el.figcaption(rx.text(caption, size="2", color_scheme="gray"))
            ),
            margin="0",
            width="100%",
        )
