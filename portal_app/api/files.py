"""File routes: upload to a widget, download a file, export a form's submissions.

Every request is signed in by the HttpOnly session cookie (never a URL token) and checked
by the services, exactly as a Reflex event would be. Bytes stream both ways: an upload
goes to private storage chunk by chunk with the size limit applied as it arrives, and
a download streams from the storage through its ``download_response`` (HTTP Range,
RFC 6266 file names, ``nosniff``, private caching).

Uploads: ``POST /files/upload?page=ID&widget=WID`` with either

- the raw file as the body, its name in ``&name=`` (URL-encoded) and its type in
  ``Content-Type`` (``fetch(url, {method: "POST", body: file})``), or
- ``multipart/form-data`` with one ``file`` part (``FormData``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import anyio.from_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal_app.access import Actor
from portal_app.api.requests import (
    BadRequest,
    client_address,
    message,
    require_same_origin,
    unreadable,
)
from portal_app.config import get_settings
from portal_app.errors import NotFound, PortalError, SignedOut, Throttled
from portal_app.services import files, sessions, sharing
from portal_app.storage import BlobNotFound
from portal_app.storage.download import download_response
from portal_app.widgets.form import actions as forms

# Room for the multipart envelope (boundaries and part headers) around the file.
MULTIPART_OVERHEAD = 64 * 1024
PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


async def _actor(request: Request) -> Actor:
    actor = await run_in_threadpool(sessions.resolve, request.cookies.get(sessions.COOKIE_NAME))
    if actor is None:
        raise SignedOut()
    return actor


def _error(exc: Exception) -> Response:
    exc = unreadable(exc) or exc
    if isinstance(exc, BadRequest):
        response = message(exc.status, exc.message)
    elif isinstance(exc, Throttled):
        response = message(429, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
    elif isinstance(exc, PortalError):
        response = message(exc.status, str(exc), field=getattr(exc, "field", ""))
    else:  # pragma: no cover - programming errors surface as 500 through the server
        raise exc
    response.headers.update(PRIVATE)
    return response


def _pull(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """Read the request body from a worker thread, one chunk at a time, so the service
    (plain, synchronous Python) streams it without holding it in memory."""

    async def next_chunk() -> bytes | None:
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None

    while (chunk := anyio.from_thread.run(next_chunk)) is not None:
        yield chunk


async def upload(request: Request) -> Response:
    try:
        require_same_origin(request)
        actor = await _actor(request)
        page_id = request.query_params.get("page", "")
        widget_id = request.query_params.get("widget", "")
        limit = get_settings().max_upload_bytes
        declared = request.headers.get("content-length", "")
        content_type = request.headers.get("content-type", "")
        is_multipart = content_type.lower().startswith("multipart/form-data")
        if declared.isdigit() and int(declared) > limit + (
            MULTIPART_OVERHEAD if is_multipart else 0
        ):
            raise files.TooLarge(get_settings().max_upload_mb)
        if is_multipart:
            if not declared.isdigit():
                # Starlette spools multipart files to disk unbounded: demand a length.
                raise BadRequest(411, "The upload could not be read. Try again.")
            form = await request.form(max_files=1, max_fields=5, max_part_size=64 * 1024)
            try:
                part = form.get("file")
                if part is None or isinstance(part, str):
                    raise BadRequest(400, "Choose a file to upload.")
                row = await run_in_threadpool(
                    files.save_upload,
                    actor,
                    page_id,
                    widget_id,
                    part.filename or "",
                    part.file,
                    part.content_type or "",
                )
            finally:
                await form.close()
        else:
            row = await run_in_threadpool(
                files.save_upload,
                actor,
                page_id,
                widget_id,
                request.query_params.get("name", ""),
                _pull(request.stream()),
                content_type,
            )
    except Exception as exc:  # noqa: BLE001  (turned into a JSON answer or re-raised)
        return _error(exc)
    response = message(
        201,
        f"“{row.name}” was uploaded.",
        file={
            "id": row.id,
            "name": row.name,
            "size": row.size,
            "type_label": row.type_label,
            "url": row.url,
        },
    )
    response.headers.update(PRIVATE)
    return response


async def download(request: Request) -> Response:
    try:
        actor = await _actor(request)
        file, storage = await run_in_threadpool(
            files.open_for_download, actor, request.path_params["file_id"]
        )
        if actor.is_guest and request.method == "GET":
            await run_in_threadpool(
                sharing.record_guest_download,
                actor,
                file.filename,
                ip=client_address(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        headers = {}
        if file.content_type != "application/pdf":
            # A file opened on its own can't run anything or reach the portal's pages.
            # (Browsers refuse to show PDFs in a sandbox, and stored types are never HTML.)
            headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return await run_in_threadpool(
            download_response,
            storage,
            file.storage_key,
            filename=file.filename,
            content_type=file.content_type,
            inline=files.is_inline(file.content_type),
            range_header=request.headers.get("range"),
            head=request.method == "HEAD",
            headers=headers,
            cache_control=PRIVATE["Cache-Control"],
        )
    except BlobNotFound:  # deleted between the check and the answer
        return _error(NotFound("This file doesn't exist or isn't shared with you."))
    except Exception as exc:  # noqa: BLE001
        return _error(exc)


async def submissions_csv(request: Request) -> Response:
    try:
        actor = await _actor(request)
        text = await run_in_threadpool(
            forms.export_csv,
            actor,
            request.path_params["page_id"],
            request.path_params["widget_id"],
        )
    except Exception as exc:  # noqa: BLE001
        return _error(exc)
    return Response(
        # A byte-order mark so spreadsheet programs read the UTF-8 correctly.
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={
            **PRIVATE,
            "Content-Disposition": 'attachment; filename="submissions.csv"',
        },
    )


routes = [
    Route("/files/upload", upload, methods=["POST"]),
    Route("/files/{file_id}", download, methods=["GET", "HEAD"]),
    Route("/forms/{page_id}/{widget_id}/submissions.csv", submissions_csv, methods=["GET"]),
]
