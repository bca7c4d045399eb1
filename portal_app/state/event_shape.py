"""Events a browser could never have sent are dropped before any handler runs.

Any socket may send any event name with any payload. Reflex calls the handler with the
payload as keyword arguments, so a missing or unknown argument, a payload that is not
an object, or a text where a form (a dict) or a list is declared would end in a
``TypeError`` or ``AttributeError`` and a traceback in the server log. ``EventShapeGuard``
(an app middleware, before ``IdentityGuard``) checks the shape first and drops such an
event with a one-line warning; the handlers still check every value themselves.

It also drops Reflex's generic ``setvar``: the portal never sends it (each state
declares the setters it offers), and it would call ``set_<anything>`` a browser names.
"""

from __future__ import annotations

import inspect
import logging
import types
import typing
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reflex.middleware import Middleware
from reflex.state import State, StateUpdate

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState
    from reflex_base.event import Event

log = logging.getLogger("portal.events")
REFUSED_HANDLERS = frozenset({"setvar"})


@lru_cache(maxsize=1024)
def _shape(
    fn: Any,
) -> tuple[frozenset[str], frozenset[str], dict[str, tuple[type, bool]], bool]:
    """(every argument, the required ones, {argument: (dict or list, None allowed)},
    takes **kwargs)."""
    parameters = list(inspect.signature(fn).parameters.values())[1:]
    names = frozenset(p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
    required = frozenset(
        p.name
        for p in parameters
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )
    open_ended = any(p.kind is p.VAR_KEYWORD for p in parameters)
    try:
        hints = typing.get_type_hints(inspect.unwrap(fn))
    except Exception:  # noqa: BLE001  (an unresolvable hint only skips the type check)
        hints = {}
    containers: dict[str, tuple[type, bool]] = {}
    for name in names:
        hint = hints.get(name)
        optional = False
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            optional = type(None) in typing.get_args(hint)
            # An optional form or list: None is fine, anything else must be the kind.
            kinds = [a for a in typing.get_args(hint) if a is not type(None)]
            hint = kinds[0] if len(kinds) == 1 else None
        origin = typing.get_origin(hint) or hint
        if origin in (dict, list):
            containers[name] = (origin, optional)  # type: ignore[assignment]
    return names, required, containers, open_ended


def malformed(event: Event) -> str:
    """Why ``event`` could not come from the portal's own pages ("" when it could)."""
    handler_name = event.name.rsplit(".", 1)[-1]
    if handler_name in REFUSED_HANDLERS:
        return f"{handler_name} is not offered"
    state_path, _, _ = event.name.rpartition(".")
    try:
        handler = State.get_class_substate(state_path).event_handlers.get(handler_name)
    except ValueError:
        handler = None
    if handler is None:
        return ""  # Reflex reports unknown names itself
    payload = event.payload
    if not isinstance(payload, dict):
        return "the payload is not an object"
    names, required, containers, open_ended = _shape(handler.fn)
    if not open_ended and set(payload) - names:
        return "unknown arguments"
    if required - set(payload):
        return "missing arguments"
    for name, (kind, optional) in containers.items():
        value = payload.get(name)
        if name in payload and not isinstance(value, kind) and not (optional and value is None):
            return f"{name} is not a {kind.__name__}"
    return _reflex_internal(handler_name, payload)


def _reflex_internal(handler_name: str, payload: dict[str, Any]) -> str:
    """Reflex's own handlers trust their values more than the portal's do."""
    if handler_name in ("hydrate_and_load", "update_vars_internal") and payload.get("vars"):
        # Browser-stored vars (rx.Cookie, rx.LocalStorage): the portal keeps none, so
        # its pages send none. A state that adds one must allow its names here.
        return "browser-stored vars the portal does not have"
    hashes = payload.get("hashes") if handler_name == "hydrate_and_load" else None
    if hashes and not all(isinstance(h, str) and len(h) <= 128 for h in hashes):
        return "hashes are not short texts"
    if handler_name == "handle_frontend_exception" and not all(
        isinstance(payload.get(name), str) for name in ("info", "component_stack")
    ):
        return "an error report that is not text"
    return ""


class EventShapeGuard(Middleware):
    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        reason = malformed(event)
        if not reason:
            return None
        log.warning("Dropped event %s: %s", event.name[-120:], reason)
        # An update of nothing: the handler does not run and the tab hears nothing.
        return StateUpdate()
