"""Shared helpers for HTTP routes: client address, same-origin check, JSON bodies."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse

from portal_app.config import get_settings
from portal_app.services.text import TooDeep, decode_safe

MAX_JSON_BYTES = 16 * 1024


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def client_address(request: Request) -> str:
    """The socket peer, or X-Forwarded-For only when PORTAL_TRUSTED_PROXY_HOPS says a
    proxy in front of us sets it (otherwise anyone could forge it)."""
    hops = get_settings().trusted_proxy_hops
    peer = request.client.host if request.client else ""
    if hops > 0:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return peer


def require_same_origin(request: Request) -> None:
    """Browsers send Origin on cross-site POSTs: refuse any that isn't this portal."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    if urlsplit(origin).netloc != request.headers.get("host", ""):
        raise BadRequest(403, "This request came from another site and was refused.")


async def json_body(request: Request) -> dict[str, object]:
    require_same_origin(request)
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        raise BadRequest(413, "The request is too large.")
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(
            400, "The request could not be read. Reload the page and try again."
        ) from exc
    if not isinstance(data, dict):
        raise BadRequest(400, "The request could not be read. Reload the page and try again.")
    # No lone surrogates or NULs reach a service (see services/text.py).
    try:
        return decode_safe(data)  # type: ignore[return-value]
    except TooDeep as exc:
        raise BadRequest(
            400, "The request could not be read. Reload the page and try again."
        ) from exc


def message(status: int, text: str, **extra: object) -> JSONResponse:
    return JSONResponse({"message": text, **extra}, status_code=status)
