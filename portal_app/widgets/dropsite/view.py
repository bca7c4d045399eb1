"""How a Dropsite widget looks: its title and instructions, then the drop zone for a
client who may contribute, a note pointing staff to Documents, or why not."""

from __future__ import annotations

import reflex as rx

from portal_app.components.dropsite import drop_zone
from portal_app.components.widget_parts import widget_card
from portal_app.components.widget_ui import WidgetUI
from portal_app.widgets.dropsite.state import DropsiteState


def dropsite_view(widget) -> rx.Component:
    instructions = widget.config["instructions"].to(str)
    return widget_card(
        widget,
        "inbox",
        widget.config["title"].to(str),
        rx.cond(
            instructions != "",
            rx.text(instructions, color_scheme="gray", size="2", white_space="pre-wrap"),
        ),
        drop_zone(DropsiteState, widget.id, widget.config["ask_message"].to(bool)),
        data_testid="dropsite",
    )


ui = WidgetUI(view=dropsite_view, state=DropsiteState)
