"""Sign-in routes. Only these set or clear the HttpOnly session cookie; Reflex states
read it back on the server from the socket handshake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal_app.api.requests import BadRequest, client_address, json_body, message
from portal_app.config import get_settings
from portal_app.errors import PortalError, Throttled
from portal_app.services import auth, sessions
from portal_app.services.links import safe_next_path

Handler = Callable[[Request], Awaitable[Response]]


def _signed_in(token: str, next_path: str) -> JSONResponse:
    settings = get_settings()
    response = JSONResponse({"message": "Signed in.", "next": next_path})
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=settings.session_max_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


def _signed_out(next_path: str = "/login") -> JSONResponse:
    response = JSONResponse({"message": "Signed out.", "next": next_path})
    response.delete_cookie(
        sessions.COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response


def _errors_to_json(handler: Handler) -> Handler:
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except BadRequest as exc:
            return message(exc.status, exc.message)
        except Throttled as exc:
            response = message(429, str(exc), retry_after=exc.retry_after_seconds)
            response.headers["Retry-After"] = str(exc.retry_after_seconds)
            return response
        except PortalError as exc:
            return message(exc.status, str(exc), field=getattr(exc, "field", ""))

    return wrapped


@_errors_to_json
async def login(request: Request) -> Response:
    data = await json_body(request)
    signed = await run_in_threadpool(
        auth.sign_in,
        data.get("email"),
        data.get("password"),
        ip=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    return _signed_in(signed.token, safe_next_path(data.get("next")))


@_errors_to_json
async def logout(request: Request) -> Response:
    await json_body(request)
    await run_in_threadpool(sessions.close, request.cookies.get(sessions.COOKIE_NAME))
    return _signed_out()


@_errors_to_json
async def logout_everywhere(request: Request) -> Response:
    await json_body(request)
    actor = await run_in_threadpool(sessions.resolve, request.cookies.get(sessions.COOKIE_NAME))
    if actor is not None:
        await run_in_threadpool(sessions.sign_out_everywhere, actor)
    return _signed_out()


@_errors_to_json
async def accept_invitation(request: Request) -> Response:
    data = await json_body(request)
    signed = await run_in_threadpool(
        auth.accept_invitation,
        data.get("token"),
        data.get("name"),
        data.get("password"),
        ip=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    return _signed_in(signed.token, "/")


@_errors_to_json
async def forgot_password(request: Request) -> Response:
    data = await json_body(request)
    await run_in_threadpool(
        auth.request_password_reset, data.get("email"), ip=client_address(request)
    )
    return message(
        200,
        "If an account uses that address, we've sent it a link to choose a "
        "new password. It works for one hour.",
    )


@_errors_to_json
async def reset_password(request: Request) -> Response:
    data = await json_body(request)
    signed = await run_in_threadpool(
        auth.complete_password_reset,
        data.get("token"),
        data.get("password"),
        ip=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    return _signed_in(signed.token, "/")


async def health(_request: Request) -> Response:
    from sqlalchemy import text

    from portal_app.db import session_scope

    def probe() -> None:
        with session_scope() as session:
            session.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(probe)
    except Exception:  # noqa: BLE001  (health reports any database failure the same way)
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/logout-everywhere", logout_everywhere, methods=["POST"]),
    Route("/auth/invitation", accept_invitation, methods=["POST"]),
    Route("/auth/forgot", forgot_password, methods=["POST"]),
    Route("/auth/reset", reset_password, methods=["POST"]),
    Route("/health", health, methods=["GET"]),
]
