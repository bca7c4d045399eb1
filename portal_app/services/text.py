"""Text as people type it, cleaned of what isn't text.

- ``decode_safe``: what arrives from a browser (event payloads, JSON bodies) may hold
  lone surrogates (``"\\ud800"`` is valid JSON but no UTF-8 encoder, database or mail
  server takes it) and NUL characters (PostgreSQL refuses them). Every string in a
  decoded value gets U+FFFD for a lone surrogate and loses its NULs, so no service ever
  sees them.
- ``clean_line``: a one-line name or title as shown to others (page titles,
  organization and person names): no control characters, no invisible formatting
  (bidirectional overrides and isolates, zero-width spaces, byte-order marks) that
  would make it read differently from what it is, and white space collapsed. Zero-width
  joiners stay: emoji and several scripts need them.
- ``clean_text``: the same for text with lines (form answers), keeping line breaks and
  tabs.
"""

from __future__ import annotations

import re
import unicodedata

_SURROGATE = re.compile("[\ud800-\udfff]")
# Format characters that carry meaning in real writing.
_KEEP = {"\u200c", "\u200d"}  # zero-width non-joiner and joiner
MAX_DEPTH = 64


class TooDeep(ValueError):
    """A decoded value nests deeper than any real request does."""


def _clean_string(value: str) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def decode_safe(value: object, depth: int = 0) -> object:
    """``value`` (decoded JSON) with every string, keys included, made safe to store
    (see the module doc). Raises ``TooDeep`` past ``MAX_DEPTH`` levels of nesting."""
    if depth > MAX_DEPTH:
        raise TooDeep(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return _clean_string(value)
    if isinstance(value, dict):
        return {
            (_clean_string(k) if isinstance(k, str) else k): decode_safe(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [decode_safe(item, depth + 1) for item in value]
    return value


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in _KEEP


def clean_line(value: str) -> str:
    """One line of visible text (see the module doc)."""
    kept = "".join(ch for ch in value if ch.isspace() or not _invisible(ch))
    return " ".join(kept.split())


def clean_text(value: str) -> str:
    """Text with lines: line breaks (``\\n``) and tabs stay, the rest as ``clean_line``."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\n\t" or not _invisible(ch))
