"""The access matrix over every HTTP route the running portal serves besides Reflex's
frontend pages: the portal's own routes (``portal_app/api/*``, mounted through
``api_transformer`` in ``portal_app/portal_app.py``) and Reflex's backend endpoints
(``/ping``, ``/_health``, the ``/_event`` socket, ``/_upload`` when an app uses it).

``tests/e2e/test_route_matrix.py`` discovers the routes (the app's route tables, and
Reflex's endpoint names probed on the running server) and fails on any without a row
here; then it requests every row as every person of the tenant world (a session
cookie from ``POST /auth/login``) and as nobody. ``tests/e2e/test_route_fuzz.py``
fuzzes the same rows.

A row says:
- ``methods`` and ``path`` as the route is declared (``{file_id}`` placeholders);
- ``audience``: who succeeds with their own side's objects (the vocabulary of
  ``matrix_services.AUDIENCES``, plus "anyone" and "nobody": no one in the tenant
  world holds, say, a valid invitation link, so every case is a refusal);
- ``request(side, who)``: the request to send (path parameters, query, body) built
  from one organization's side of the world (``matrix_services.Side``);
- ``ids``: which request parts are object ids, and of which kind;
- ``effect`` ("read"/"write") and ``refusal_writes``: tables a refused request may
  write (a failed sign-in counts toward the throttle and is audited);
- ``oracle``: for routes that take no object id, two requests that must get the same
  answer (an address with an account and one without).

Adding a route: add a ``RouteRow`` with its methods and declared path, its audience,
and a ``request`` lambda built from the ``Side``; name its id parts in ``ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.security.matrix_services import STAFF, Side
from tests.support.tenant_world import PASSWORD, PDF

READ, WRITE = "read", "write"
NOBODY_EMAIL = "nobody.at.all@never-tenant.example"
NEVER_UPLOAD = "u" * 43  # shaped like an upload id; no upload has it


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


Allowed = Callable[[str, Side], bool]
ROUTE_AUDIENCES: dict[str, Allowed] = {
    "anyone": lambda who, side: True,
    "nobody": lambda who, side: False,
    "signed_in": lambda who, side: who != "anonymous",
    "page_viewer": lambda who, side: who != "anonymous",
    "uploader": lambda who, side: who != "anonymous",
    "private_file_reader": lambda who, side: who in STAFF or who == side.form_file_uploader,
    "submission_reviewer": lambda who, side: who in STAFF,
    # staff and admins (the rows each gets are the service's: items they may see)
    "share_manager": lambda who, side: who in STAFF,
    # the person whose e-mail and password are sent (the anonymous visitor sends none)
    "account_holder": lambda who, side: who != "anonymous",
}


@dataclass(frozen=True)
class RouteRow:
    methods: tuple[str, ...]
    path: str
    audience: str
    request: Callable[[Side, str], Req]
    effect: str = READ
    ids: dict[str, str] = field(default_factory=dict)  # request part -> Side kind
    refusal_writes: tuple[str, ...] = ()
    variant: str = ""
    # Two requests (as the anonymous visitor) that must get the same answer.
    oracle: tuple[Callable[[Side], Req], Callable[[Side], Req]] | None = None
    # Status a refusal of this route must have (None: any 4xx with a reason).
    note: str = ""
    # Fuzzing: which parts to vary ("path", "query", "json", "body").
    fuzz: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{'/'.join(self.methods)} {self.path}" + (
            f"#{self.variant}" if self.variant else ""
        )


def _room(side: Side):
    assert side.room is not None
    return side.room


def _email(side: Side, who: str) -> str:
    return side.ctx.emails.get(who, NOBODY_EMAIL)


ROUTES: list[RouteRow] = [
    # --- sign-in (api/auth.py) --------------------------------------------------------
    RouteRow(
        ("POST",),
        "/auth/login",
        "account_holder",
        lambda s, who: Req(
            "POST",
            "/auth/login",
            json={"email": _email(s, who), "password": PASSWORD, "next": "/"},
        ),
        effect=WRITE,
        refusal_writes=("login_attempt", "audit_event"),
        oracle=(
            lambda s: Req(
                "POST",
                "/auth/login",
                json={"email": s.ctx.emails["hank"], "password": "not the password at all"},
            ),
            lambda s: Req(
                "POST",
                "/auth/login",
                json={"email": NOBODY_EMAIL, "password": "not the password at all"},
            ),
        ),
        fuzz=("json", "body"),
    ),
    RouteRow(
        ("POST",),
        "/auth/logout",
        "anyone",
        lambda s, who: Req("POST", "/auth/logout", json={}),
        effect=WRITE,
        note="ends the session it is sent with (the matrix sends a throwaway session)",
        fuzz=("json", "body"),
    ),
    RouteRow(
        ("POST",),
        "/auth/logout-everywhere",
        "anyone",
        lambda s, who: Req("POST", "/auth/logout-everywhere", json={}),
        effect=WRITE,
        note="ends every session of its sender (the matrix signs them in again after)",
        fuzz=("json", "body"),
    ),
    RouteRow(
        ("POST",),
        "/auth/invitation",
        "nobody",
        lambda s, who: Req(
            "POST",
            "/auth/invitation",
            json={"token": "a" * 43, "name": "Someone New", "password": PASSWORD + " new"},
        ),
        effect=WRITE,
        refusal_writes=("login_attempt", "audit_event"),
        note="needs a valid invitation link: nobody in the tenant world holds one",
        fuzz=("json", "body"),
    ),
    RouteRow(
        ("POST",),
        "/auth/forgot",
        "anyone",
        lambda s, who: Req("POST", "/auth/forgot", json={"email": _email(s, who)}),
        effect=WRITE,
        oracle=(
            lambda s: Req("POST", "/auth/forgot", json={"email": s.ctx.emails["mindy"]}),
            lambda s: Req("POST", "/auth/forgot", json={"email": NOBODY_EMAIL}),
        ),
        fuzz=("json", "body"),
    ),
    RouteRow(
        ("POST",),
        "/auth/reset",
        "nobody",
        lambda s, who: Req(
            "POST", "/auth/reset", json={"token": "b" * 43, "password": PASSWORD + " new"}
        ),
        effect=WRITE,
        refusal_writes=("login_attempt", "audit_event"),
        note="needs a valid reset link: nobody in the tenant world holds one",
        fuzz=("json", "body"),
    ),
    RouteRow(("GET", "HEAD"), "/health", "anyone", lambda s, who: Req("GET", "/health")),
    # --- files and forms (api/files.py) ------------------------------------------------
    RouteRow(
        ("POST",),
        "/files/upload",
        "uploader",
        lambda s, who: Req(
            "POST",
            "/files/upload",
            params={
                "page": str(_room(s).id),
                "widget": _room(s).widget("form"),
                "name": "route-matrix.pdf",
            },
            content=PDF,
            headers={"Content-Type": "application/pdf"},
        ),
        effect=WRITE,
        ids={"page": "room", "widget": "room"},
        fuzz=("query", "body"),
    ),
    RouteRow(
        ("GET", "HEAD"),
        "/files/{file_id}",
        "page_viewer",
        lambda s, who: Req("GET", f"/files/{s.file}"),
        ids={"file_id": "file"},
        fuzz=("path",),
    ),
    RouteRow(
        ("GET", "HEAD"),
        "/files/{file_id}",
        "private_file_reader",
        lambda s, who: Req("GET", f"/files/{s.form_file}"),
        ids={"file_id": "form_file"},
        variant="form_file",
    ),
    # --- resumable uploads (api/transfers.py) ---------------------------------------------
    RouteRow(
        ("POST",),
        "/uploads",
        "uploader",
        lambda s, who: Req(
            "POST",
            "/uploads",
            json={
                "destination": {
                    "kind": "widget",
                    "page": _room(s).id,
                    "widget": _room(s).widget("form"),
                },
                "name": "route-matrix.pdf",
                "size": len(PDF),
            },
        ),
        effect=WRITE,
        fuzz=("json", "body"),
    ),
    # An upload id is held only by the person who started it (another person's answers
    # 404: tests/unit/test_transfers.py); no one in the tenant world holds one.
    RouteRow(
        ("GET", "HEAD"),
        "/uploads/{upload_id}",
        "nobody",
        lambda s, who: Req("GET", "/uploads/" + NEVER_UPLOAD),
        note="needs an upload this person started: nobody in the tenant world has one",
        fuzz=("path",),
    ),
    RouteRow(
        ("PATCH",),
        "/uploads/{upload_id}",
        "nobody",
        lambda s, who: Req(
            "PATCH",
            "/uploads/" + NEVER_UPLOAD,
            content=PDF,
            headers={"Upload-Offset": "0"},
        ),
        effect=WRITE,
        note="needs an upload this person started: nobody in the tenant world has one",
        fuzz=("path", "body"),
    ),
    RouteRow(
        ("DELETE",),
        "/uploads/{upload_id}",
        "nobody",
        lambda s, who: Req("DELETE", "/uploads/" + NEVER_UPLOAD),
        effect=WRITE,
        note="needs an upload this person started: nobody in the tenant world has one",
        fuzz=("path",),
    ),
    RouteRow(
        ("GET", "HEAD"),
        "/forms/{page_id}/{widget_id}/submissions.csv",
        "submission_reviewer",
        lambda s, who: Req(
            "GET", f"/forms/{_room(s).id}/{_room(s).widget('form')}/submissions.csv"
        ),
        ids={"page_id": "room", "widget_id": "room"},
        fuzz=("path",),
    ),
    # --- share links (api/sharing.py) -------------------------------------------------
    RouteRow(
        ("GET", "HEAD", "POST"),
        "/s/{token}",
        "nobody",
        lambda s, who: Req("GET", "/s/" + "t" * 43),
        # An unknown link counts toward the link and address throttle.
        refusal_writes=("login_attempt",),
        note="needs a share link: the tenant world's links are known only by their hash",
        fuzz=("path",),
    ),
    RouteRow(
        ("GET", "HEAD"),
        "/s/ended",
        "anyone",
        lambda s, who: Req("GET", "/s/ended"),
        note="a notice; drops a guest's cookie only once it no longer signs them in",
    ),
    RouteRow(
        ("POST",),
        "/s/{token}/sign-out",
        "anyone",
        lambda s, who: Req("POST", "/s/" + "t" * 43 + "/sign-out"),
        effect=WRITE,
        note="ends the session it is sent with, then opens the link (the matrix sends a "
        "throwaway session)",
        fuzz=("path",),
    ),
    RouteRow(
        ("GET", "HEAD"),
        "/s/file/{share_id}/{file_id}/{expires}/{signature}",
        "nobody",
        lambda s, who: Req("GET", f"/s/file/{s.share}/{s.file}/4102444800/" + "A" * 43),
        ids={"share_id": "share", "file_id": "file"},
        note="needs a URL signed by the portal: only opening a document's link makes one",
        fuzz=("path",),
    ),
    # --- the Shared list's CSV (api/share_exports.py) ------------------------------------
    RouteRow(
        ("GET", "HEAD"),
        "/settings/sharing/shares.csv",
        "share_manager",
        lambda s, who: Req("GET", "/settings/sharing/shares.csv", params={"kind": "web"}),
        fuzz=("query",),
    ),
    # --- Reflex's own backend endpoints --------------------------------------------------
    RouteRow(("GET", "HEAD"), "/ping", "anyone", lambda s, who: Req("GET", "/ping")),
    RouteRow(("GET", "HEAD"), "/_health", "anyone", lambda s, who: Req("GET", "/_health")),
    RouteRow(
        ("MOUNT",),
        "/_event",
        "nobody",
        # Reflex's event socket takes websocket upgrades only: an engine.io handshake over
        # HTTP long-polling is refused ("Invalid transport") for everyone. What travels
        # over the websocket is the event handler matrix's (tests/security/matrix.py,
        # tests/e2e/test_handler_matrix.py).
        lambda s, who: Req("GET", "/_event/", params={"EIO": "4", "transport": "polling"}),
        fuzz=("query",),
    ),
]


def route_keys() -> dict[str, set[str]]:
    """Declared path -> methods, as the discovery test compares them."""
    found: dict[str, set[str]] = {}
    for row in ROUTES:
        found.setdefault(row.path, set()).update(row.methods)
    return found
