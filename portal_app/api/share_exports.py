"""The Shared list as CSV: ``GET /settings/sharing/shares.csv`` with the list's filters
as query parameters (``organization_id``, ``kind``, ``status``, ``creator_id``,
``query``).

Signed in by the HttpOnly session cookie, like every route; the service decides which
shares the person manages (staff: items they may see; admins: all) and refuses anyone
else. Cells are written so a spreadsheet never runs one as a formula.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal_app.api.files import PRIVATE, _actor, _error
from portal_app.services import sharing

FILTER_KEYS = ("organization_id", "kind", "status", "creator_id", "query")


async def shares_csv(request: Request) -> Response:
    try:
        actor = await _actor(request)
        # sharing.filters_from turns anything unexpected into "no filter".
        wanted = {key: request.query_params.get(key, "")[:100] for key in FILTER_KEYS}
        text = await run_in_threadpool(sharing.export_csv, actor, wanted)
    except Exception as exc:  # noqa: BLE001  (turned into a JSON answer or re-raised)
        return _error(exc)
    return Response(
        # A byte-order mark so spreadsheet programs read the UTF-8 correctly.
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={**PRIVATE, "Content-Disposition": 'attachment; filename="shares.csv"'},
    )


routes = [Route("/settings/sharing/shares.csv", shares_csv, methods=["GET"])]
