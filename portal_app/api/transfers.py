"""Resumable upload routes (``services/transfers.py``): the tus idea with offsets.

- ``POST /uploads`` JSON ``{"destination": {...}, "name": str, "size": int}`` →
  ``201 {"id", "offset": 0, "chunk_size"}``; refused before a byte is sent with the
  reason: 403/404 (access), 413 (too large), 415 (type), 507 (the organization's
  storage is full), 400 (empty file, unreadable request).
- ``HEAD /uploads/{id}`` → ``200`` with ``Upload-Offset`` and ``Upload-Length`` (and
  ``Upload-Complete: 1`` once finished); ``GET`` answers the same as JSON (with the
  destination's answer once finished). Anyone but the upload's own person: 404.
- ``PATCH /uploads/{id}`` with ``Upload-Offset: N`` and the raw bytes as the body
  (streamed, never held in memory) → ``204`` and the new ``Upload-Offset``; ``409``
  with the current ``Upload-Offset`` when N isn't it. The request that brings the last
  byte answers ``201`` with the destination's JSON (``{"file": {...}}`` for a widget),
  or ``422`` when the virus scanner held the file back; asking again answers the same.
- ``DELETE /uploads/{id}`` → ``204``: cancelled and discarded.

Signed in by the session cookie (guests of a share link too: their upload is bound to
their share); writes must come from the portal's own origin. Errors are JSON with a
``message``, never a traceback.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal_app.api.files import PRIVATE, _actor, _error, _pull
from portal_app.api.requests import BadRequest, json_body, require_same_origin
from portal_app.services import transfers
from portal_app.services.transfers import OffsetConflict, UploadStatus

EXPOSED = "Upload-Offset, Upload-Length, Upload-Complete"


def _headers(status: UploadStatus) -> dict[str, str]:
    headers = {
        **PRIVATE,
        "Upload-Offset": str(status.offset),
        "Upload-Length": str(status.size),
        "Access-Control-Expose-Headers": EXPOSED,
    }
    if status.done:
        headers["Upload-Complete"] = "1"
    return headers


def _finished(status: UploadStatus) -> Response:
    return JSONResponse(
        {**status.result, "id": status.id, "offset": status.offset, "done": True},
        status_code=status.result_status or 201,
        headers=_headers(status),
    )


def _refused(exc: Exception) -> Response:
    response = _error(exc)
    if isinstance(exc, OffsetConflict):
        response.headers["Upload-Offset"] = str(exc.offset)
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
    return response


async def create(request: Request) -> Response:
    try:
        body = await json_body(request)
        actor = await _actor(request)
        status = await run_in_threadpool(
            transfers.create_upload,
            actor,
            body.get("destination"),
            body.get("name"),
            body.get("size"),
        )
    except Exception as exc:  # noqa: BLE001  (turned into a JSON answer or re-raised)
        return _refused(exc)
    return JSONResponse(
        {"id": status.id, "offset": status.offset, "chunk_size": status.chunk_size},
        status_code=201,
        headers={**_headers(status), "Location": f"/uploads/{status.id}"},
    )


async def status(request: Request) -> Response:
    try:
        actor = await _actor(request)
        found = await run_in_threadpool(
            transfers.upload_status, actor, request.path_params["upload_id"]
        )
    except Exception as exc:  # noqa: BLE001
        return _refused(exc)
    if request.method == "HEAD":
        return Response(status_code=200, headers=_headers(found))
    if found.done:
        return _finished(found)
    return JSONResponse(
        {"id": found.id, "offset": found.offset, "size": found.size, "done": False},
        headers=_headers(found),
    )


def _offset(request: Request) -> int:
    raw = request.headers.get("upload-offset", "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise BadRequest(400, "The upload offset could not be read. Reload the page.")
    return int(raw)


async def patch(request: Request) -> Response:
    try:
        require_same_origin(request)
        actor = await _actor(request)
        offset = _offset(request)
        found = await run_in_threadpool(
            transfers.append,
            actor,
            request.path_params["upload_id"],
            offset,
            _pull(request.stream()),
        )
    except Exception as exc:  # noqa: BLE001
        return _refused(exc)
    if found.done:
        return _finished(found)
    return Response(status_code=204, headers=_headers(found))


async def cancel(request: Request) -> Response:
    try:
        require_same_origin(request)
        actor = await _actor(request)
        await run_in_threadpool(transfers.cancel, actor, request.path_params["upload_id"])
    except Exception as exc:  # noqa: BLE001
        return _refused(exc)
    return Response(status_code=204, headers=PRIVATE)


routes = [
    Route("/uploads", create, methods=["POST"]),
    Route("/uploads/{upload_id}", status, methods=["GET", "HEAD"]),
    Route("/uploads/{upload_id}", patch, methods=["PATCH"]),
    Route("/uploads/{upload_id}", cancel, methods=["DELETE"]),
]
