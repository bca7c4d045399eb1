"""How an image or a video looks on a published page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_ui import WidgetUI


def media_view(widget) -> rx.Component:
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
        rx.cond(caption != "", rx.el.figcaption(rx.text(caption, size="2", color_scheme="gray"))),
        margin="0",
        width="100%",
    )


ui = WidgetUI(view=media_view)
