"""``shows_refusals``: one way for every state handler to show a refused service call.

The browser tests drive the decorated handlers for real (field errors, toasts, 403/404
panels, the sign-in redirect); these pin the mechanism itself: each refusal shown as
``SessionState._failed`` shows it, and a wrapper Reflex reads like the bare handler.
"""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from typing import Any, get_type_hints

import pytest

from portal_app.errors import Forbidden, Invalid, NotFound, PortalError, SignedOut
from portal_app.state.refusals import shows_refusals


class _Field:
    def __init__(self, default: Any) -> None:
        self.default = default

    def default_value(self) -> Any:
        return self.default


class FakeState:
    """What the mechanism touches on a state: ``_failed``, vars and their defaults."""

    __fields__ = {"page": _Field(None), "busy": _Field(False)}

    def __init__(self) -> None:
        self.shown: list[tuple[type[PortalError], bool]] = []
        self.page: object = "previous page"
        self.busy = True
        self.edit_error = ""
        self.edit_error_field = ""

    def _failed(self, error: PortalError, *, on_load: bool = False) -> Any:
        self.shown.append((type(error), on_load))
        return f"shown:{type(error).__name__}"


def _asyncio_run(coroutine: Any) -> Any:
    # In a thread of its own: in a whole run the browser tests' event loop may be
    # running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _run(value: Any) -> Any:
    return _asyncio_run(value) if inspect.iscoroutine(value) else value


async def _gather(generator) -> list:
    return [event async for event in generator]


def _collect(generator) -> list:
    return _asyncio_run(_gather(generator))


def test_a_refusal_is_shown_by_failed_and_success_passes_through():
    @shows_refusals()
    async def handler(self, fail: bool):
        if fail:
            raise Forbidden()
        return "done"

    state = FakeState()
    assert _run(handler(state, False)) == "done"
    assert _run(handler(state, True)) == "shown:Forbidden"
    assert state.shown == [(Forbidden, False)]


def test_on_load_is_passed_to_failed():
    @shows_refusals(on_load=True)
    async def load(self):
        raise NotFound()

    state = FakeState()
    assert _run(load(state)) == "shown:NotFound"
    assert state.shown == [(NotFound, True)]


def test_invalid_goes_to_its_vars_and_other_refusals_still_to_failed():
    @shows_refusals(invalid="edit_error", invalid_field="edit_error_field")
    async def save(self, error: PortalError):
        raise error

    state = FakeState()
    assert _run(save(state, Invalid("Too long.", field="name"))) is None
    assert (state.edit_error, state.edit_error_field) == ("Too long.", "name")
    assert state.shown == []
    assert _run(save(state, SignedOut())) == "shown:SignedOut"
    assert state.shown == [(SignedOut, False)]


def test_without_invalid_an_invalid_is_a_toast_like_any_refusal():
    @shows_refusals()
    async def handler(self):
        raise Invalid("That part of the page no longer exists.")

    state = FakeState()
    assert _run(handler(state)) == "shown:Invalid"
    assert state.edit_error == ""


def test_reset_puts_vars_back_to_their_defaults_only_on_a_refusal():
    @shows_refusals(on_load=True, reset=("page", "busy"))
    async def load(self, fail: bool):
        if fail:
            raise Forbidden()
        return None

    state = FakeState()
    _run(load(state, False))
    assert (state.page, state.busy) == ("previous page", True)
    _run(load(state, True))
    assert (state.page, state.busy) == (None, False)


def test_other_exceptions_are_not_swallowed():
    @shows_refusals()
    async def handler(self):
        raise RuntimeError("a bug stays a bug")

    with pytest.raises(RuntimeError):
        _run(handler(FakeState()))


def test_async_generator_yields_its_events_then_the_refusal():
    @shows_refusals()
    async def post(self, fail: bool):
        self.busy = True
        yield
        try:
            if fail:
                raise Forbidden()
        finally:
            self.busy = False
        yield "posted"

    state = FakeState()
    assert _collect(post(state, False)) == [None, "posted"]
    assert _collect(post(state, True)) == [None, "shown:Forbidden"]
    assert state.busy is False


def test_async_generator_invalid_to_var_yields_nothing_more():
    @shows_refusals(invalid="edit_error")
    async def send(self):
        yield
        raise Invalid("Enter an e-mail address.")

    state = FakeState()
    assert _collect(send(state)) == [None]
    assert state.edit_error == "Enter an e-mail address."


def test_async_generator_closed_early_closes_the_handler():
    closed = []

    @shows_refusals()
    async def handler(self):
        try:
            yield 1
            yield 2
        finally:
            closed.append(True)

    async def first_only():
        events = handler(FakeState())
        assert await anext(events) == 1
        await events.aclose()

    _asyncio_run(first_only())
    assert closed == [True]


def test_sync_functions_and_generators():
    @shows_refusals()
    def plain(self, fail: bool):
        if fail:
            raise NotFound()
        return "ok"

    @shows_refusals()
    def generator(self, fail: bool):
        yield "first"
        if fail:
            raise NotFound()
        return "last"

    state = FakeState()
    assert plain(state, False) == "ok"
    assert plain(state, True) == "shown:NotFound"
    assert list(generator(state, False)) == ["first", "last"]
    assert list(generator(state, True)) == ["first", "shown:NotFound"]


def test_the_wrapper_is_the_same_kind_of_function_with_the_same_signature():
    async def coroutine(self, invitation_id: int):
        return None

    async def async_generator(self, form: dict[str, Any]):
        yield

    def plain(self, value: bool):
        return None

    def generator(self, value: str):
        yield

    for handler, kind in (
        (coroutine, inspect.iscoroutinefunction),
        (async_generator, inspect.isasyncgenfunction),
        (plain, inspect.isfunction),
        (generator, inspect.isgeneratorfunction),
    ):
        wrapped = shows_refusals()(handler)
        assert kind(wrapped), handler.__name__
        assert wrapped.__name__ == handler.__name__
        assert wrapped.__qualname__ == handler.__qualname__
        assert inspect.signature(wrapped) == inspect.signature(handler)
        assert get_type_hints(wrapped) == get_type_hints(handler)
    assert not inspect.iscoroutinefunction(shows_refusals()(plain))
    assert not inspect.isasyncgenfunction(shows_refusals()(coroutine))


def test_reflex_reads_decorated_handlers_like_bare_ones():
    from portal_app.state.people import PeopleAdminState
    from portal_app.widgets.attachments.state import FilesState
    from portal_app.widgets.discussion.state import DiscussionState

    send = PeopleAdminState.send_invitation
    assert inspect.isasyncgenfunction(send.fn)
    assert list(send.get_parameters()) == ["self", "form"]
    assert send._get_type_hints()["form"] == dict[str, Any]
    resend = PeopleAdminState.resend_invitation
    assert resend._is_coroutine_function
    assert resend._get_type_hints()["invitation_id"] is int
    assert inspect.isasyncgenfunction(DiscussionState.post.fn)
    # The confirm-delete trio comes from the mixin, bound to each state.
    for state in (FilesState, DiscussionState):
        assert list(state.ask_delete.get_parameters()) == ["self", "widget_id", "row_id", "label"]
        assert state.confirm_delete._is_coroutine_function
        assert state.confirm_delete.state is state


def test_mixed_in_vars_belong_to_each_state_so_a_new_person_starts_clean():
    from portal_app.state.identity import person_state_classes
    from portal_app.widgets.attachments.state import FilesState
    from portal_app.widgets.discussion.state import DiscussionState

    classes = person_state_classes()
    for state in (FilesState, DiscussionState):
        assert state in classes
        for name in ("deleting_id", "deleting_widget", "deleting_label"):
            # forget_everyone resets the fields a class owns.
            assert getattr(state.__fields__[name], "_owner", state) is state, (state, name)


def test_invalid_field_needs_invalid():
    with pytest.raises(ValueError):
        shows_refusals(invalid_field="edit_error_field")
