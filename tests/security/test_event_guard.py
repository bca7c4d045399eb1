"""The door of the event socket (portal_app/state/event_guard.py), in-process: which
frames Reflex gets to handle, and what the log says about the rest. The same frames
against the running portal are in tests/e2e/test_wire_attacks.py."""

from __future__ import annotations

import json
import logging

import pytest

import portal_app.portal_app  # noqa: F401  (registers every state and handler)
from portal_app.state.account import AccountState
from portal_app.state.event_guard import QuietMalformedFrames, Refused, check_frame
from portal_app.state.people import DirectoryState, PeopleAdminState
from portal_app.state.session import SessionState
from portal_app.widgets.attachments.state import FilesState
from tests.support import ledger

SUITE = "wire"
DIRECTORY = DirectoryState.get_full_name()
PEOPLE = PeopleAdminState.get_full_name()


def frame(handler: str, payload, **extra):
    return {"name": handler, "payload": payload, "router_data": {"pathname": "/"}, **extra}


REFUSED = {
    "not an object": "hello",
    "no name": {"payload": {}},
    "a number for a name": {"name": 5, "payload": {}},
    "unknown handler": frame(f"{DIRECTORY}.drop_tables", {}),
    "unknown state": frame("no_such_state.anything", {}),
    "private method": frame(f"{DIRECTORY}._call", {}),
    "payload is a list": frame(f"{DIRECTORY}.set_search", ["x"]),
    "router data is a string": frame(f"{DIRECTORY}.set_search", {"value": "x"}, router_data="/"),
    "missing argument": frame(f"{DIRECTORY}.set_search", {}),
    "extra argument": frame(f"{DIRECTORY}.set_search", {"value": "x", "sql": "drop"}),
    "a word for an id": frame(f"{PEOPLE}.open_edit", {"user_id": "admin"}),
    "a string for a form": frame(f"{AccountState.get_full_name()}.save_name", {"form": "x"}),
    "a string for a list": frame(
        f"{FilesState.get_full_name()}.load_for_page", {"page_id": 1, "widget_ids": "w1"}
    ),
    "setvar without a setter": frame(
        f"{SessionState.get_full_name()}.setvar", {"var_name": "me_role", "value": "admin"}
    ),
    "setvar through an async setter": frame(
        f"{DIRECTORY}.setvar", {"var_name": "search", "value": "x"}
    ),
    "setvar naming a number": frame(f"{PEOPLE}.setvar", {"var_name": 5, "value": "x"}),
    "too deep": frame(f"{DIRECTORY}.set_search", {"value": json.loads("[" * 80 + "]" * 80)}),
    "hydrate hashes not strings": frame(
        "reflex___state____state.hydrate_and_load", {"hashes": [1, 2]}
    ),
    "hydrate hash too long": frame(
        "reflex___state____state.hydrate_and_load", {"hashes": ["x" * 500]}
    ),
    "None for a form": frame(f"{AccountState.get_full_name()}.save_name", {"form": None}),
    "setvar through a plain setter": frame(
        f"{PEOPLE}.setvar", {"var_name": "invite_role", "value": "staff"}
    ),
    "an error report that is not text": frame(
        "reflex___state____state.reflex___state____frontend_event_exception_state"
        ".handle_frontend_exception",
        {"info": [], "component_stack": ""},
    ),
}


@pytest.mark.parametrize("label", list(REFUSED))
def test_frames_reflex_would_choke_on_are_refused(label):
    with pytest.raises(Refused) as refused:
        check_frame(REFUSED[label])
    assert "portal_session" not in str(refused.value)
    ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"guard: {label}")


def test_frames_the_portal_sends_pass_with_text_made_safe():
    checked = check_frame(frame(f"{DIRECTORY}.set_search", {"value": "Glo\ud800bex\x00"}))
    assert checked["payload"] == {"value": "Glo\ufffdbex"}
    assert check_frame(frame(f"{PEOPLE}.open_edit", {"user_id": 12}))["payload"] == {"user_id": 12}
    assert check_frame(frame(f"{AccountState.get_full_name()}.save_name", {"form": {"n": "x"}}))
    forged = check_frame(
        frame(
            "reflex___state____state.hydrate_and_load",
            {"vars": {f"{SessionState.get_full_name()}.me_role": "admin", "x.y": 1}},
        )
    )
    assert forged["payload"]["vars"] == {}  # no such client-storage var: dropped


def test_undecodable_frames_are_logged_in_one_line():
    try:
        json.loads('{"name":')
    except ValueError as error:
        record = logging.LogRecord(
            "engineio.server",
            logging.ERROR,
            __file__,
            1,
            "message async handler error",
            (),
            (type(error), error, error.__traceback__),
        )
    assert QuietMalformedFrames().filter(record)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert (
        record.getMessage() == "Refused an event frame that could not be decoded (JSONDecodeError)"
    )
    # A real bug elsewhere keeps its traceback.
    try:
        {}["missing"]
    except KeyError as error:
        other = logging.LogRecord(
            "engineio.server", logging.ERROR, __file__, 1, "boom", (), (KeyError, error, None)
        )
    QuietMalformedFrames().filter(other)
    assert other.exc_info is not None and other.levelno == logging.ERROR
