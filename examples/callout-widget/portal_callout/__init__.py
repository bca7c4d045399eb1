"""A complete Portal widget plugin in one module: a highlighted callout box.

Install it next to Portal (``pip install -e examples/callout-widget``), rebuild, and
"Callout" appears in the editor's palette.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from portal_app.widgets.base import WidgetConfig, WidgetType


class CalloutConfig(WidgetConfig):
    """What an editor can set; validated on the server on every change."""

    tone: Literal["info", "success", "warning"] = Field(default="info", title="Tone")
    title: str = Field(default="Good to know", max_length=120, title="Title")
    text: str = Field(
        default="", max_length=2000, title="Text", json_schema_extra={"editor": "long_text"}
    )


class Callout(WidgetType):
    name = "callout"  # stored in page layouts: never change it once used
    label = "Callout"
    icon = "megaphone"
    description = "A highlighted note: a deadline, a reminder, good news."
    Config = CalloutConfig

    def view(self, widget: Any) -> Any:
        import reflex as rx

        config = widget.config
        tone = config["tone"].to(str)
        return rx.callout.root(
            rx.callout.icon(rx.icon("megaphone", size=18)),
            rx.vstack(
                rx.text(config["title"].to(str), weight="bold"),
                rx.text(config["text"].to(str), white_space="pre-wrap"),
                spacing="1",
            ),
            color_scheme=rx.match(tone, ("success", "green"), ("warning", "amber"), "blue"),
            variant="surface",
            width="100%",
            data_testid="callout",
        )
