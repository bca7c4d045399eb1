"""How rich text looks on a published page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.widget_ui import WidgetUI


def rich_text_view(widget) -> rx.Component:
    # Stored HTML is sanitized on the way in (RichText.clean_config); rendering it is safe.
    return rx.box(rx.html(widget.config["html"].to(str)), class_name="portal-prose", width="100%")


ui = WidgetUI(view=rich_text_view)
