"""Identifier formats, defined once. Ids arrive from browsers; anything that isn't one
of these shapes is "not found" before it reaches a query or a line of JavaScript."""

from __future__ import annotations

import re
import secrets

from portal_app.errors import NotFound

MAX_ID = 2**63 - 1
# Widget and section ids are made by the server (services.layouts): w/s + 12 hex digits.
WIDGET_ID = re.compile(r"^w[0-9a-f]{12}$")
SECTION_ID = re.compile(r"^s[0-9a-f]{12}$")


def parse_id(value: object) -> int:
    """A database id: anything that isn't a positive integer is 'not found'."""
    if isinstance(value, bool):
        raise NotFound()
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    if number <= 0 or number > MAX_ID or str(number) != str(value).strip():
        raise NotFound()
    return number


def is_widget_id(value: object) -> bool:
    return isinstance(value, str) and WIDGET_ID.match(value) is not None


def new_widget_id() -> str:
    return "w" + secrets.token_hex(6)


def new_section_id() -> str:
    return "s" + secrets.token_hex(6)
