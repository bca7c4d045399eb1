"""One way for a state to turn a refused service call into what the person sees.

Services raise ``NotFound``, ``Forbidden``, ``Invalid``, ``Conflict``, ``Throttled`` or
``SignedOut`` (``errors.py``). A handler does not catch them: it validates, calls its
service through ``_call``, sets its vars and says what happened. ``shows_refusals``,
applied under ``@rx.event``, catches any ``PortalError`` that escapes and hands it to
``SessionState._failed`` (a toast, or the sign-in page once the session ended)::

    @rx.event
    @shows_refusals()
    async def resend_invitation(self, invitation_id: int): ...

    @rx.event
    @shows_refusals(on_load=True, reset=("page",))  # Forbidden: 403 panel, NotFound: 404
    async def load(self): ...

    @rx.event
    @shows_refusals(invalid="edit_error")  # Invalid: its message next to the field
    async def save_edit(self): ...

The wrapper is the same kind of function as the handler (coroutine function, async
generator function, generator function or plain function) and carries its name,
signature and type hints (``functools.wraps``), so Reflex reads and converts the event's
arguments exactly as it would for the bare handler. A handler with a special case
(``Conflict`` shown in place, ``Invalid`` mapped by ``error.field``) catches that one
error itself and lets the rest escape; cleanup that must happen whatever the outcome
(a busy flag) belongs in the handler's own ``finally``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from portal_app.errors import Invalid, PortalError

if TYPE_CHECKING:
    from portal_app.state.session import SessionState

F = TypeVar("F", bound=Callable[..., Any])


def shows_refusals(
    *,
    on_load: bool = False,
    invalid: str = "",
    invalid_field: str = "",
    reset: Iterable[str] = (),
) -> Callable[[F], F]:
    """Show a ``PortalError`` escaping the handler below as ``_failed`` shows it.

    on_load:       the handler loads a page: ``Forbidden`` shows the 403 panel and
                   ``NotFound`` the 404 panel (``page_status``) instead of a toast.
    invalid:       the var that takes an ``Invalid``'s message (a field error) instead
                   of a toast; the handler then ends without further events.
    invalid_field: the var that takes ``Invalid.field`` (which field to mark), with
                   ``invalid``.
    reset:         vars put back to their declared defaults on any refusal, before it
                   is shown (so a refused load leaves nothing of the previous one).
    """
    reset_names = tuple(reset)
    if invalid_field and not invalid:
        raise ValueError("invalid_field needs invalid")

    def refused(state: SessionState, error: PortalError) -> Any:
        fields = type(state).__fields__
        for name in reset_names:
            setattr(state, name, fields[name].default_value())
        if invalid and isinstance(error, Invalid):
            setattr(state, invalid, str(error))
            if invalid_field:
                setattr(state, invalid_field, error.field)
            return None
        return state._failed(error, on_load=on_load)

    def decorate(handler: F) -> F:
        if inspect.isasyncgenfunction(handler):

            @functools.wraps(handler)
            async def async_generator_wrapper(self: SessionState, *args: Any, **kwargs: Any):
                events = handler(self, *args, **kwargs)
                try:
                    while True:
                        try:
                            event = await anext(events)
                        except StopAsyncIteration:
                            return
                        except PortalError as error:
                            shown = refused(self, error)
                            if shown is not None:
                                yield shown
                            return
                        yield event
                finally:
                    await events.aclose()

            return async_generator_wrapper  # type: ignore[return-value]

        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def coroutine_wrapper(self: SessionState, *args: Any, **kwargs: Any) -> Any:
                try:
                    return await handler(self, *args, **kwargs)
                except PortalError as error:
                    return refused(self, error)

            return coroutine_wrapper  # type: ignore[return-value]

        if inspect.isgeneratorfunction(handler):

            @functools.wraps(handler)
            def generator_wrapper(self: SessionState, *args: Any, **kwargs: Any):
                events = handler(self, *args, **kwargs)
                try:
                    while True:
                        try:
                            event = next(events)
                        except StopIteration as done:
                            if done.value is not None:
                                yield done.value
                            return
                        except PortalError as error:
                            shown = refused(self, error)
                            if shown is not None:
                                yield shown
                            return
                        yield event
                finally:
                    events.close()

            return generator_wrapper  # type: ignore[return-value]

        @functools.wraps(handler)
        def function_wrapper(self: SessionState, *args: Any, **kwargs: Any) -> Any:
            try:
                return handler(self, *args, **kwargs)
            except PortalError as error:
                return refused(self, error)

        return function_wrapper  # type: ignore[return-value]

    return decorate
