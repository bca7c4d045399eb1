"""Share links: ``/s/<token>`` opens a guest, web or secured link; ``/s/file/...`` serves
a shared document through a short-lived URL signed for its share.

Every answer is a page a person can read (never JSON, a traceback or a blank page):
the password form, "wrong password", "too many attempts" (429 with ``Retry-After``),
"expired" (410, naming who to ask), "no longer available" (404). The rules live in
``services/sharing.py``; this module only speaks HTTP.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from portal_app.access import Actor
from portal_app.api.requests import BadRequest, client_address, require_same_origin
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.errors import PortalError, Throttled
from portal_app.services import sessions, sharing
from portal_app.services.files import is_inline
from portal_app.storage import BlobNotFound
from portal_app.storage.download import download_response

PRIVATE = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    # A link page is about one share: it must not tell another site where it came from.
    "Referrer-Policy": "no-referrer",
}
MAX_FORM_BYTES = 4096

_STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#f9f9fb;color:#1c2024;display:flex;min-height:100vh;align-items:flex-start;
justify-content:center}
main{background:#fff;border:1px solid #e0e1e6;border-radius:12px;margin:12vh 16px 0;
padding:32px;max-width:420px;width:100%;box-sizing:border-box;box-shadow:0 1px 3px #0000000d}
h1{font-size:22px;margin:0 0 8px}p{line-height:1.5;color:#60646c;margin:0 0 16px}
.brand{font-weight:600;color:#1c2024;margin-bottom:24px}
label{display:block;font-weight:500;margin-bottom:6px}
input{width:100%;box-sizing:border-box;font:inherit;padding:8px 10px;border:1px solid #cdced6;
border-radius:6px;margin-bottom:12px}
input:focus,button:focus{outline:2px solid #3e63dd;outline-offset:2px}
button{font:inherit;font-weight:500;background:#3e63dd;color:#fff;border:0;border-radius:6px;
padding:9px 16px;cursor:pointer;width:100%}
.error{color:#ce2c31;background:#fff7f7;border:1px solid #fdbdbe;border-radius:6px;
padding:8px 10px}
"""


def _page(status: int, title: str, body: str, headers: dict[str, str] | None = None) -> Response:
    name = escape(get_settings().portal_name)
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {name}</title><style>{_STYLE}</style></head>"
        f'<body><main><div class="brand">{name}</div><h1>{escape(title)}</h1>{body}</main>'
        "</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers={**PRIVATE, **(headers or {})})


def _notice(status: int, title: str, text: str, headers: dict[str, str] | None = None) -> Response:
    return _page(status, title, f"<p>{escape(text)}</p>", headers)


def _password_form(token: str, error: str = "", status: int = 200) -> Response:
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        "<p>This link is protected by a password. The person who shared it can tell you "
        "what it is.</p>"
        f"{alert}"
        f'<form method="post" action="/s/{quote(token)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="off" '
        'required autofocus maxlength="256">'
        '<button type="submit">Open</button></form>'
    )
    # With "no-referrer" a browser posts the form with ``Origin: null``, which the
    # same-origin check refuses; "same-origin" still tells no other site anything.
    return _page(status, "Enter the password", body, {"Referrer-Policy": "same-origin"})


def _refusal(exc: Exception, token: str = "") -> Response:
    if isinstance(exc, Throttled):
        return _notice(
            429,
            "Too many attempts",
            str(exc),
            {"Retry-After": str(exc.retry_after_seconds)},
        )
    if isinstance(exc, sharing.LinkExpired):
        return _notice(410, "This link has expired", str(exc))
    if isinstance(exc, sharing.WrongPassword):
        return _password_form(token, str(exc), status=401)
    if isinstance(exc, sharing.SignedInAsSomeoneElse):
        body = (
            f"<p>{escape(str(exc))}</p>"
            f'<form method="post" action="/s/{quote(token)}/sign-out">'
            '<button type="submit">Sign out and open the link</button></form>'
        )
        return _page(409, "You're signed in as someone else", body)
    if isinstance(exc, BadRequest):
        return _notice(exc.status, "This link can't be opened", exc.message)
    if isinstance(exc, sharing.LinkUnavailable):
        return _notice(404, "This link is no longer available", str(exc))
    if isinstance(exc, PortalError):
        return _notice(exc.status, "This link can't be opened", str(exc))
    raise exc


async def _signed_in(request: Request) -> Actor | None:
    """The person this browser is signed in as (a guest session counts as nobody: a new
    link simply replaces it)."""
    token = request.cookies.get(sessions.COOKIE_NAME, "")
    if not token or token.startswith(sharing.GUEST_COOKIE_PREFIX):
        return None
    return await run_in_threadpool(sessions.resolve, token)


def _follow(
    request: Request, opened: sharing.Opened | sharing.PasswordNeeded, token: str
) -> Response:
    if isinstance(opened, sharing.PasswordNeeded):
        return _password_form(token)
    if opened.sign_in:
        return RedirectResponse(
            f"/login?next={quote(opened.path)}&reason=shared_link", 303, headers=PRIVATE
        )
    response = RedirectResponse(opened.path, 303, headers=PRIVATE)
    if opened.guest_token:
        settings = get_settings()
        assert opened.guest_expires is not None
        response.set_cookie(
            sessions.COOKIE_NAME,
            opened.guest_token,
            max_age=max(1, int((opened.guest_expires - utcnow()).total_seconds())),
            path="/",
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )
    return response


async def open_share(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        password = None
        if request.method == "POST":
            require_same_origin(request)
            declared = request.headers.get("content-length", "")
            if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
                raise BadRequest(413, "That password is too long.")
            form = await request.form(max_files=0, max_fields=3, max_part_size=MAX_FORM_BYTES)
            value = form.get("password")
            password = value if isinstance(value, str) else ""
        opened = await run_in_threadpool(
            sharing.open_link,
            token,
            ip=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
            password=password,
            signed_in=await _signed_in(request),
        )
    except Exception as exc:  # noqa: BLE001  (a page for every refusal)
        return _refusal(exc, token)
    return _follow(request, opened, token)


async def sign_out_then_open(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        require_same_origin(request)
    except BadRequest as exc:
        return _refusal(exc, token)
    cookie = request.cookies.get(sessions.COOKIE_NAME, "")
    if cookie:
        await run_in_threadpool(sessions.close, cookie)
    response = RedirectResponse(f"/s/{quote(token)}", 303, headers=PRIVATE)
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response


def _counts(request: Request) -> bool:
    """A download counts once: a full GET or the first range of one, not every later
    range a player or a resuming download asks for, nor a HEAD."""
    if request.method != "GET":
        return False
    ranges = request.headers.get("range", "")
    return not ranges or ranges.replace(" ", "").startswith("bytes=0-")


async def shared_file(request: Request) -> Response:
    params = request.path_params
    try:
        file, storage = await run_in_threadpool(
            sharing.open_signed_download,
            params["share_id"],
            params["file_id"],
            params["expires"],
            params["signature"],
            ip=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
            counts=_counts(request),
        )
        headers = {"Referrer-Policy": "no-referrer"}
        if file.content_type != "application/pdf":
            headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return await run_in_threadpool(
            download_response,
            storage,
            file.storage_key,
            filename=file.filename,
            content_type=file.content_type,
            inline=is_inline(file.content_type),
            range_header=request.headers.get("range"),
            head=request.method == "HEAD",
            headers=headers,
            cache_control=PRIVATE["Cache-Control"],
        )
    except BlobNotFound:
        return _notice(404, "This link is no longer available", "This document was removed.")
    except Exception as exc:  # noqa: BLE001
        return _refusal(exc)


async def guest_access_ended(request: Request) -> Response:
    """Where a guest's open page sends them once their share ended: what happened and
    who to ask (their guest cookie, no longer good for anything, is dropped)."""
    response = _notice(
        200,
        "This shared page is no longer available",
        "The link you used was deactivated, expired or replaced by a new one. Ask the "
        "person who shared it with you if you need it again.",
    )
    cookie = request.cookies.get(sessions.COOKIE_NAME, "")
    if cookie.startswith(sharing.GUEST_COOKIE_PREFIX) and (
        await run_in_threadpool(sharing.resolve_guest, cookie) is None
    ):
        # Only an ended one: a link to this page must not sign a guest out.
        response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response


routes = [
    Route(
        "/s/file/{share_id}/{file_id}/{expires}/{signature}", shared_file, methods=["GET", "HEAD"]
    ),
    # Before /s/{token}, which would take "ended" for an unknown link.
    Route(sharing.GUEST_ENDED_PATH, guest_access_ended, methods=["GET"]),
    Route("/s/{token}", open_share, methods=["GET", "POST"]),
    Route("/s/{token}/sign-out", sign_out_then_open, methods=["POST"]),
]
