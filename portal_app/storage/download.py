"""Serving a stored blob over HTTP: streamed from the storage, one byte range when
asked for (``206`` + ``Content-Range``, ``416`` for a range that can't be served), and
headers that keep the browser from reading the file as anything but what it is.

Only the caller decides who may download; this module only answers how.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote

from starlette.responses import Response, StreamingResponse

from portal_app.storage.base import Storage

DEFAULT_CACHE_CONTROL = "private, no-store"
# RFC 5987 attr-char, less ALPHA / DIGIT (which quote() keeps anyway).
_ATTR_CHARS = "!#$&+-.^_`|~"
_POSITION = re.compile(r"[0-9]{1,19}")


class RangeNotSatisfiable(ValueError):
    """A ``bytes`` range that is malformed or lies outside the file."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range ``header`` asks of a ``size``-byte file, as ``(start, end)``
    with ``end`` excluded; ``None`` to send the whole file (no header, another unit, or
    several ranges, which a server may answer with the whole file, RFC 9110 §14.2).
    Raises ``RangeNotSatisfiable`` for a malformed or unsatisfiable ``bytes`` range."""
    if not header:
        return None
    unit, equals, ranges = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    specs = [spec.strip() for spec in ranges.split(",") if spec.strip()]
    if len(specs) > 1:
        return None
    if not specs:
        raise RangeNotSatisfiable(header)
    first, dash, last = specs[0].partition("-")
    first, last = first.strip(), last.strip()
    if not dash or (first and not _POSITION.fullmatch(first)):
        raise RangeNotSatisfiable(header)
    if last and not _POSITION.fullmatch(last):
        raise RangeNotSatisfiable(header)
    if first:
        start = int(first)
        end = min(int(last) + 1, size) if last else size
        if start >= size or (last and int(last) < start):
            raise RangeNotSatisfiable(header)
        return start, end
    if not last or int(last) == 0 or size == 0:  # "bytes=-" or an empty suffix
        raise RangeNotSatisfiable(header)
    return max(0, size - int(last)), size


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if " " <= ch <= "~" and ch not in '"\\')
    plain = " ".join(plain.split())
    stem, dot, extension = plain.rpartition(".")
    if not dot:
        stem, extension = plain, ""
    if not any(ch.isalnum() for ch in stem):  # nothing readable survived
        return "file" + ("." + extension if extension.isalnum() else "")
    return plain.strip(" .")


def content_disposition(disposition: str, filename: str) -> str:
    """``inline`` or ``attachment`` with the filename as RFC 6266 asks: a quoted ASCII
    ``filename`` every browser reads, plus ``filename*`` (RFC 5987, UTF-8) when the real
    name doesn't fit in it (non-ASCII characters, quotes or backslashes)."""
    if disposition not in ("inline", "attachment"):
        raise ValueError(disposition)
    # No control characters (a CR/LF would end the header): the rest is encoded.
    name = "".join(ch for ch in filename if not unicodedata.category(ch).startswith("C"))
    name = name.strip() or "file"
    fallback = _ascii_fallback(name)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        value += "; filename*=UTF-8''" + quote(name, safe=_ATTR_CHARS)
    return value


def download_response(
    storage: Storage,
    key: str,
    *,
    filename: str,
    content_type: str,
    inline: bool,
    range_header: str | None = None,
    head: bool = False,
    headers: Mapping[str, str] | None = None,
    cache_control: str = DEFAULT_CACHE_CONTROL,
) -> Response:
    """The response that sends blob ``key``: the whole of it (``200``) or the one range
    ``range_header`` asks for (``206``), streamed in chunks; ``416`` with ``Content-Range:
    bytes */size`` for a range it can't serve. ``head`` sends the headers alone. Raises
    ``BlobNotFound`` when there is no such blob (the caller answers 404)."""
    size = storage.size(key)
    common = {
        **(headers or {}),
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
    }
    try:
        span = byte_range(range_header, size)
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**common, "Content-Range": f"bytes */{size}"})
    start, end = span if span is not None else (0, size)
    sent = {
        **common,
        "Content-Length": str(end - start),
        "Content-Disposition": content_disposition("inline" if inline else "attachment", filename),
    }
    if span is not None:
        sent["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    body = iter(()) if head else storage.open_range(key, start, end)
    return StreamingResponse(
        body,
        status_code=206 if span is not None else 200,
        headers=sent,
        media_type=content_type,
    )
