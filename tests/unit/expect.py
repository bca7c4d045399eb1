"""Checking many hostile inputs in one test, naming every one that got through."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def refuses_all(error: type[Exception], action: Callable[[object], object], values: Iterable):
    """Assert ``action(value)`` raises ``error`` for every value (and nothing else)."""
    slipped = []
    for value in values:
        try:
            action(value)
        except error:
            continue
        except Exception as other:  # reported below, with the value
            slipped.append((value, f"raised {type(other).__name__}: {other}"))
        else:
            slipped.append((value, "was accepted"))
    assert not slipped, f"expected {error.__name__} for: {slipped}"
