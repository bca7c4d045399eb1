"""What the widget states share: checks on what a browser sends before it gets near a
service or a line of JavaScript.

Each widget type with live data keeps its own Reflex state in its package
(``portal_app/widgets/<name>/state.py``), with its rows per widget id (a page may hold
several widgets of a type) and a ``load_for_page(page_id, widget_ids)`` handler the
page's on_load chains (``components/widget_ui.py``). Handlers only validate the shape
of what the browser sent and call the type's actions: they decide who may read, post,
submit, review or delete.
"""

from __future__ import annotations

import re

from portal_app.errors import Invalid

# Widget ids are made by the server (services.layouts); anything else is refused before
# it gets near a service or a line of JavaScript.
WIDGET_ID = re.compile(r"^w[0-9a-f]{12}$")
MAX_WIDGETS = 200


def valid_widget_id(value: object) -> str:
    """A well-formed widget id, else ``Invalid``."""
    if isinstance(value, str) and WIDGET_ID.match(value):
        return value
    raise Invalid("That part of the page no longer exists. Reload the page.")


def valid_widget_ids(values: object) -> list[str]:
    """The well-formed widget ids of a list (others dropped), at most a page's worth."""
    if not isinstance(values, list):
        return []
    return [v for v in values[:MAX_WIDGETS] if isinstance(v, str) and WIDGET_ID.match(v)]


def positive_int(value: object) -> int:
    """A positive id from the browser, else 0."""
    try:
        number = int(str(value))
    except ValueError:
        return 0
    return number if 0 < number < 2**62 else 0
