"""Shared helpers for HTTP routes: client address, same-origin check, JSON bodies."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from portal_app.config import get_settings
from portal_app.services.text import TooDeep, decode_safe

MAX_JSON_BYTES = 16 * 1024
UNREADABLE = "The request could not be read. Reload the page and try again."


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


def unreadable(exc: Exception) -> BadRequest | None:
    """The answer to a body that never arrived whole (the client went away before the
    length it declared) or a multipart envelope that doesn't parse; None for anything
    else."""
    if isinstance(exc, ClientDisconnect | MultiPartException):
        return BadRequest(400, UNREADABLE)
    if isinstance(exc, HTTPException) and 400 <= exc.status_code < 500:
        # Starlette's own refusal of a body it can't parse (a multipart envelope without
        # its boundary): the portal's JSON answer, with the route's headers.
        return BadRequest(exc.status_code, UNREADABLE)
    return None


async def json_body(request: Request) -> dict[str, object]:
    """The JSON object a route was sent, read no further than ``MAX_JSON_BYTES``."""
    require_same_origin(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_JSON_BYTES:
        raise BadRequest(413, "The request is too large.")
    body = b""
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_JSON_BYTES:
                raise BadRequest(413, "The request is too large.")
    except ClientDisconnect as exc:
        raise BadRequest(400, UNREADABLE) from exc
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(400, UNREADABLE) from exc
    if not isinstance(data, dict):
        raise BadRequest(400, UNREADABLE)
    # No lone surrogates or NULs reach a service (see services/text.py).
    try:
        return decode_safe(data)  # type: ignore[return-value]
    except TooDeep as exc:
        raise BadRequest(400, UNREADABLE) from exc


def message(status: int, text: str, **extra: object) -> JSONResponse:
    return JSONResponse({"message": text, **extra}, status_code=status)
