"""Links: absolute links to the portal for e-mails, and the one check of where a
sign-in may send a person next."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from portal_app.config import get_settings

MAX_NEXT_PATH = 2000


def portal_url(path: str) -> str:
    return f"{get_settings().public_url}{path}"


def _stays_here(candidate: str, refused_categories: tuple[str, ...]) -> bool:
    if not candidate.startswith("/") or candidate.startswith("//"):
        return False
    # Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes
    # "//evil.example") and treat "\" like "/": refuse any such character outright.
    for char in candidate:
        if char == "\\" or unicodedata.category(char)[0] in refused_categories:
            return False
    parts = urlsplit(candidate)
    return not parts.scheme and not parts.netloc


def safe_next_path(value: object, default: str = "/") -> str:
    """``value`` when it is a path on this portal, else ``default``.

    The path is checked as sent and after percent-decoding (repeatedly, so
    ``%252F`` counts as ``/``): a target that is or becomes another host, a scheme,
    a protocol-relative ``//``, a backslash, a control or white-space character, or
    that is implausibly long, sends the person home instead."""
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_PATH:
        return default
    decoded, previous = value, None
    for _ in range(5):
        if decoded == previous:
            break
        previous, decoded = decoded, unquote(decoded)
    # As sent, a path needs no raw white space at all; decoded, "%20" is a fine space
    # but a control character is not.
    if not (_stays_here(value, ("C", "Z")) and _stays_here(decoded, ("C",))):
        return default
    return value
