"""EventShapeGuard drops what no page of the portal could have sent, before any
handler runs (tests/e2e/test_handler_matrix.py sends them all over the wire)."""

from __future__ import annotations

import pytest
from reflex_base.event import Event

import portal_app.portal_app  # noqa: F401  (registers every handler)
from portal_app.components.widget_ui import widget_uis
from portal_app.state.event_shape import malformed
from tests.security import matrix

widget_uis()  # the widget types' states, as the server loads them


def _event(handler: str, payload) -> Event:
    return Event(name=handler, payload=payload)


@pytest.mark.parametrize(
    ("handler", "payload", "reason"),
    [
        (f"{matrix.ACCOUNT}.save_name", {}, "missing arguments"),
        (f"{matrix.ACCOUNT}.save_name", {"form": {}, "extra": 1}, "unknown arguments"),
        (f"{matrix.ACCOUNT}.save_name", {"form": "name"}, "form is not a dict"),
        (f"{matrix.ACCOUNT}.save_name", {"form": None}, "form is not a dict"),
        (f"{matrix.DISCUSSION}.load_for_page", {"page_id": 1, "widget_ids": "w1"}, "list"),
        (f"{matrix.SESSION}.setvar", {"var_name": "me_role", "value": "admin"}, "not offered"),
        (f"{matrix.ROOT}.hydrate_and_load", {"vars": {"x.y": 1}}, "browser-stored"),
        (f"{matrix.ROOT}.hydrate_and_load", {"hashes": [1]}, "hashes"),
        (f"{matrix.FRONTEND_EXCEPTION}.handle_frontend_exception", {"info": 1}, "missing"),
        (
            f"{matrix.FRONTEND_EXCEPTION}.handle_frontend_exception",
            {"info": [], "component_stack": ""},
            "not text",
        ),
    ],
)
def test_shapes_no_page_sends_are_dropped(handler, payload, reason):
    assert reason in malformed(_event(handler, payload))


def test_a_payload_that_is_not_an_object_is_dropped():
    assert malformed(_event(f"{matrix.ACCOUNT}.load", [1, 2])) == "the payload is not an object"


@pytest.mark.parametrize(
    ("handler", "payload"),
    [
        (f"{matrix.ACCOUNT}.save_name", {"form": {"name": "x"}}),
        (f"{matrix.ROOT}.hydrate_and_load", {"vars": None, "hashes": None}),
        (f"{matrix.ROOT}.hydrate_and_load", {"vars": {}, "hashes": ["abc"]}),
        (f"{matrix.EDITOR}.move_widget", {"widget_id": 5, "column": None, "index": "x"}),
    ],
)
def test_what_pages_send_passes_and_handlers_check_the_values(handler, payload):
    assert malformed(_event(handler, payload)) == ""
