"""What a browser sends over the event socket is checked at the door.

Reflex runs any registered handler a frame names, with whatever arguments the frame
carries. A forged frame (or one from an old build still open in a tab after an
upgrade) that named no handler, or arguments the handler doesn't take, ended in a
traceback in the server log — for an unknown handler with the event's router data,
whose headers carry the session cookie — and an "An error occurred" toast.
``install(app)`` puts a check in front of Reflex's event handling:

- a frame is an object naming a registered handler, with an object payload whose keys
  are that handler's parameters (none missing, none extra) and object router data;
- each argument converts to its annotated type the way Reflex converts it (a number
  for an ``int``, ...), and an argument annotated as a ``dict`` or ``list`` is one (a
  form's fields arrive as an object: nothing else reaches ``form.get``);
- Reflex's generic ``setvar`` is refused: the portal's pages never send it, and each
  state offers the setters it means to as handlers of its own;
- Reflex's ``hydrate_and_load`` and ``update_vars_internal`` take only client storage
  vars that exist (the portal has none today: a state adding an ``rx.Cookie`` or
  ``rx.LocalStorage`` gets it through), ``hashes`` only as a list of short strings,
  and ``handle_frontend_exception`` only text;
- every string in the payload and the router data goes through
  ``services.text.decode_safe`` (no lone surrogates, no NULs), and nothing nests deeper
  than 64 levels.

Anything else is dropped with one warning line naming the handler and the reason (never
the payload or the headers). Handlers still check what their arguments hold.

Frames that aren't even JSON, or nest deeper than the JSON decoder goes, fail inside
python-socketio before any of this: ``QuietMalformedFrames`` turns the traceback it logs
for them into the same kind of one-line warning.
"""

from __future__ import annotations

import functools
import inspect
import logging
import traceback
import types
import typing
from typing import TYPE_CHECKING, Any

from reflex.state import EventHandlerSetVar, State
from reflex_base.constants.state import FIELD_MARKER

# Reflex's own conversion of event arguments, so the check agrees with what it does.
from reflex_base.event.processor.base_state_processor import _transform_event_payload
from reflex_base.registry import RegistrationContext
from reflex_base.utils.types import get_type_hints

from portal_app.services.text import TooDeep, decode_safe

if TYPE_CHECKING:
    from reflex.app import App

logger = logging.getLogger("portal.events")

MAX_NAME = 500
MAX_HASH = 128
_CLIENT_STORAGE_HANDLERS = ("hydrate_and_load", "update_vars_internal")


class Refused(ValueError):
    """Why a frame was dropped (one line, no payload)."""


@functools.lru_cache(maxsize=2048)
def _signature(fn: Any) -> inspect.Signature:
    return inspect.signature(fn)


def _fits(fn: Any, *args: Any, **kwargs: Any) -> bool:
    try:
        _signature(fn).bind(None, *args, **kwargs)
    except TypeError:
        return False
    return True


@functools.lru_cache(maxsize=2048)
def _hints(fn: Any) -> dict[str, Any]:
    try:
        return dict(get_type_hints(fn))
    except Exception:  # noqa: BLE001  (unresolvable hints: nothing to check against)
        return {}


def _container(hint: Any) -> tuple[type | None, bool]:
    """(dict or list if ``hint`` asks for one, whether None is allowed too)."""
    optional = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        if len(members) != 1:
            return None, optional
        hint = members[0]
    origin = typing.get_origin(hint) or hint
    return (origin if origin in (dict, list) else None), optional


def _check_types(name: str, fn: Any, payload: dict[str, Any]) -> None:
    hints = _hints(fn)
    try:
        _transform_event_payload(payload, hints)
    except Exception as exc:  # noqa: BLE001  (Reflex's conversion said no)
        raise Refused(f"{name}: an argument has the wrong type") from exc
    for argument, value in payload.items():
        expected, optional = _container(hints.get(argument))
        wrong = expected is not None and not isinstance(value, expected)
        if wrong and not (optional and value is None):
            assert expected is not None
            raise Refused(f"{name}: {argument} is not a {expected.__name__}")


def _client_storage_vars(value: Any) -> dict[str, Any]:
    """Only the client storage vars that exist (Reflex would raise on any other)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Refused("client storage vars are not an object")
    kept = {}
    for key, item in value.items():
        if not isinstance(key, str):
            continue
        state_name, _, var_name = key.rpartition(".")
        try:
            state = State.get_class_substate(state_name)
        except Exception:  # noqa: BLE001, S112  (any unknown name is dropped)
            continue
        if state._is_client_storage(var_name.removesuffix(FIELD_MARKER)):
            kept[key] = item
    return kept


def _check_internal(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    if "vars" in payload:
        payload["vars"] = _client_storage_vars(payload["vars"])
    hashes = payload.get("hashes")
    if hashes is not None and (
        not isinstance(hashes, list)
        or not all(isinstance(h, str) and len(h) <= MAX_HASH for h in hashes)
    ):
        raise Refused(f"{name}: hashes are not a list of short strings")
    return payload


def check_frame(data: Any) -> dict[str, Any]:
    """The frame as Reflex may handle it, or ``Refused``."""
    if not isinstance(data, dict):
        raise Refused("the frame is not an object")
    name = data.get("name")
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        raise Refused("the frame names no handler")
    registered = RegistrationContext.get().event_handlers.get(name)
    if registered is None:
        raise Refused(f"no handler is called {name[:200]!r}")
    payload = data.get("payload", {})
    router_data = data.get("router_data", {})
    if not isinstance(payload, dict) or not isinstance(router_data, dict):
        raise Refused(f"{name}: the payload or router data is not an object")
    try:
        payload = decode_safe(payload)
        router_data = decode_safe(router_data)
    except TooDeep as exc:
        raise Refused(f"{name}: {exc}") from exc
    assert isinstance(payload, dict) and isinstance(router_data, dict)
    if not _fits(registered.handler.fn, **payload):
        raise Refused(f"{name}: the arguments don't fit the handler")
    _check_types(name, registered.handler.fn, payload)
    if isinstance(registered.handler, EventHandlerSetVar):
        # The portal's pages never send Reflex's generic setvar: each state offers the
        # setters it means to (and they are handlers in the matrix like any other).
        raise Refused(f"{name}: setvar is not offered")
    handler_name = name.rsplit(".", 1)[-1]
    if handler_name in _CLIENT_STORAGE_HANDLERS:
        payload = _check_internal(name, payload)
    if handler_name == "handle_frontend_exception" and not all(
        isinstance(payload.get(key), str) for key in ("info", "component_stack")
    ):
        raise Refused(f"{name}: an error report that is not text")
    return {**data, "payload": payload, "router_data": router_data}


class QuietMalformedFrames(logging.Filter):
    """python-socketio logs a traceback for a frame it can't decode (not JSON, invalid
    packet bytes, nesting past the decoder's recursion limit): say it in one line."""

    DECODERS = ("socketio/packet.py", "engineio/packet.py", "json/decoder.py")

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or record.exc_info[1] is None:
            return True
        error = record.exc_info[1]
        frames = traceback.extract_tb(error.__traceback__)
        if not any(f.filename.endswith(self.DECODERS) for f in frames):
            return True
        record.msg = "Refused an event frame that could not be decoded (%s)"
        record.args = (type(error).__name__,)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True


def install(app: App) -> None:
    """Check every frame before Reflex handles it (see the module doc)."""
    namespace = app.event_namespace
    if namespace is None:  # pragma: no cover - the portal always has state
        return
    handle = namespace.on_event

    async def on_event(sid: str, data: Any) -> None:
        try:
            checked = check_frame(data)
        except Refused as refused:
            logger.warning("Refused an event from a browser: %s", refused)
            return
        await handle(sid, checked)

    namespace.on_event = on_event  # type: ignore[method-assign]
    quiet = QuietMalformedFrames()
    for name in ("engineio.server", "socketio.server"):
        logging.getLogger(name).addFilter(quiet)
