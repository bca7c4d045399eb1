"""Attacks on the running portal: cookies, origins, forged events, leaked secrets,
forged client addresses and hostile requests to the sign-in routes."""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import socketio
from playwright.sync_api import Browser, WebSocketRoute, expect
from sqlalchemy import delete, update
from sqlmodel import col, select

from portal_app.db import session_scope
from portal_app.models import Invitation, LoginAttempt, PasswordReset, User, UserSession
from portal_app.services import drafts, people, sessions
from portal_app.state.people import PeopleAdminState
from tests.e2e.support_world import add_person, admin_actor, organization_id, sign_in

PASSWORD = "copper kettle lighthouse"  # noqa: S105


@pytest.fixture
def clean_attempts():
    with session_scope() as session:
        session.execute(delete(LoginAttempt))
    yield
    with session_scope() as session:
        session.execute(delete(LoginAttempt))


@pytest.fixture(scope="module")
def world(portal_server, admin_account):
    from tests.e2e.support import server_env

    with server_env(portal_server):
        admin = admin_actor()
        acme_id = organization_id("Acme Security Co")
        client_id = add_person("cleo@acme.example", "Cleo Client", "limited", acme_id, PASSWORD)
        return {"admin": admin, "org_id": acme_id, "client_id": client_id}


def _age_attempts(seconds: float) -> None:
    with session_scope() as session:
        for attempt in session.exec(select(LoginAttempt)):
            attempt.attempted_at = attempt.attempted_at - timedelta(seconds=seconds)
            session.add(attempt)


def _login(url: str, email: str, password: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{url}/auth/login",
        json={"email": email, "password": password},
        headers=headers,
        timeout=10,
    )


def test_session_cookie_is_httponly_samesite_and_never_in_the_body(
    portal_server, world, clean_attempts
):
    response = _login(portal_server.url, "cleo@acme.example", PASSWORD)
    assert response.status_code == 200
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{sessions.COOKIE_NAME}=")
    assert "HttpOnly" in set_cookie
    assert "SameSite=lax" in set_cookie
    assert "Path=/" in set_cookie
    token = response.cookies[sessions.COOKIE_NAME]
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert token not in response.text
    assert sessions.resolve(token) is not None


def test_sign_out_revokes_the_session_on_the_server(portal_server, world, clean_attempts):
    token = _login(portal_server.url, "cleo@acme.example", PASSWORD).cookies[sessions.COOKIE_NAME]
    out = httpx.post(f"{portal_server.url}/auth/logout", cookies={sessions.COOKIE_NAME: token})
    assert out.status_code == 200
    assert (
        'portal_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    )
    assert sessions.resolve(token) is None


def test_sign_out_everywhere_ends_every_session(portal_server, world, clean_attempts):
    first = _login(portal_server.url, "cleo@acme.example", PASSWORD).cookies[sessions.COOKIE_NAME]
    second = _login(portal_server.url, "cleo@acme.example", PASSWORD).cookies[sessions.COOKIE_NAME]
    httpx.post(
        f"{portal_server.url}/auth/logout-everywhere", cookies={sessions.COOKIE_NAME: second}
    )
    assert sessions.resolve(first) is None
    assert sessions.resolve(second) is None


def test_unknown_email_and_wrong_password_answer_alike(portal_server, world, clean_attempts):
    unknown = _login(portal_server.url, "nobody@acme.example", "whatever it is really")
    wrong = _login(portal_server.url, "cleo@acme.example", "whatever it is really")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()
    assert "set-cookie" not in unknown.headers and "set-cookie" not in wrong.headers


def test_ten_failures_lock_the_account_with_429_until_the_window_passes(
    portal_server, world, clean_attempts
):
    statuses = []
    for attempt in range(1, 11):
        if attempt > 5:
            # Step past the growing wait instead of sleeping through it.
            _age_attempts(30 * 2 ** (attempt - 6) + 1)
        statuses.append(_login(portal_server.url, "cleo@acme.example", f"wrong {attempt}"))
    assert [r.status_code for r in statuses[:4]] == [400] * 4
    locked = statuses[-1]
    assert locked.status_code == 429
    assert re.search(r"Try again in \d+ minutes", locked.json()["message"])
    assert int(locked.headers["retry-after"]) > 60

    # Even the right password is refused while locked...
    assert _login(portal_server.url, "cleo@acme.example", PASSWORD).status_code == 429
    # ...and works once the 30-minute window has passed.
    _age_attempts(31 * 60)
    assert _login(portal_server.url, "cleo@acme.example", PASSWORD).status_code == 200


def test_forged_x_forwarded_for_does_not_reset_the_address_counter(
    portal_server, world, clean_attempts
):
    for n in range(5):
        _login(
            portal_server.url,
            f"spray{n}@acme.example",
            "guess guess guess",
            **{"X-Forwarded-For": f"203.0.113.{n}"},
        )
    # A new address claimed in the header and a new account: still the same client.
    response = _login(
        portal_server.url,
        "spray9@acme.example",
        "guess guess guess",
        **{"X-Forwarded-For": "198.51.100.7"},
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400),
        (b"[1, 2]", {"Content-Type": "application/json"}, 400),
        (b"x" * 20_000, {"Content-Type": "application/json"}, 413),
        (
            b'{"email": "cleo@acme.example", "password": "x"}',
            {"Origin": "http://evil.example"},
            403,
        ),
        (b'{"email": ["a"], "password": {"b": 1}}', {}, 400),
    ],
)
def test_hostile_sign_in_requests_get_a_clear_4xx(
    portal_server, world, clean_attempts, body, headers, status
):
    response = httpx.post(f"{portal_server.url}/auth/login", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["message"]
    assert "Traceback" not in response.text


def test_every_response_carries_security_headers(portal_server):
    response = httpx.get(f"{portal_server.url}/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{portal_server.url}/health").json()["status"] == "ok"


def test_event_socket_refuses_a_foreign_origin(portal_server):
    async def connects(origin: str) -> bool:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(
                portal_server.url,
                headers={"Origin": origin},
                transports=["websocket"],
                socketio_path="/_event",
                wait_timeout=5,
            )
        except socketio.exceptions.ConnectionError:
            return False
        connected = client.connected
        await client.disconnect()
        return connected

    def run(origin: str) -> bool:
        # Playwright's sync API owns this thread's event loop: use another thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, connects(origin)).result(timeout=30)

    assert run("http://evil.example") is False
    assert run(portal_server.url) is True


class SocketTap:
    """Sits between the page and the event socket: records every frame both ways and
    can inject frames the page never meant to send."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.received: list[str] = []
        self.server: WebSocketRoute | None = None

    def __call__(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()
        self.server = server

        def to_server(message):
            if isinstance(message, str):
                self.sent.append(message)
            server.send(message)

        def to_page(message):
            if isinstance(message, str):
                self.received.append(message)
            route.send(message)

        route.on_message(to_server)
        server.on_message(to_page)

    def forge(self, handler_name: str, payload: dict, path: str = "") -> None:
        """Send an event shaped exactly like the page's own, for another handler."""
        marker = '["event",'
        template = next(f for f in reversed(self.sent) if marker in f)
        prefix = template[: template.index(marker)]
        (_, event), _end = json.JSONDecoder().raw_decode(template, len(prefix))
        event = {**event, "name": handler_name, "payload": payload}
        if path:  # the page the browser claims to be on
            event["router_data"] = {
                **event.get("router_data", {}),
                "pathname": path,
                "asPath": path,
            }
        assert self.server is not None
        self.server.send(prefix + json.dumps(["event", event]))


def _handler_name(handler) -> str:
    from reflex_base.utils import format

    return format.format_event_handler(handler)


def test_forged_admin_events_from_a_clients_socket_change_nothing(
    browser: Browser, portal_server, world, smtp_server, clean_attempts
):
    admin = world["admin"]
    invitation = people.invite(admin, "pending@acme.example", "limited", world["org_id"])
    tap = SocketTap()
    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    page.route_web_socket(re.compile(r".*/_event.*"), tap)
    sign_in(page, "cleo@acme.example", PASSWORD)
    mails_before = len(smtp_server.messages)

    tap.forge(_handler_name(PeopleAdminState.revoke_invitation), {"invitation_id": invitation.id})
    tap.forge(_handler_name(PeopleAdminState.send_reset), {"user_id": admin.user_id})
    tap.forge(
        _handler_name(PeopleAdminState.ask_active),
        {"user_id": admin.user_id},
    )
    tap.forge(_handler_name(PeopleAdminState.confirm_active), {})
    tap.forge(_handler_name(PeopleAdminState.set_search), {"value": "acme"})
    expect(page.get_by_text("You don't have permission to do that.").first).to_be_visible()
    page.wait_for_timeout(1000)

    with session_scope() as session:
        still = session.get(Invitation, invitation.id)
        assert still is not None and still.revoked_at is None
        assert session.get(User, admin.user_id).active
        assert (
            session.exec(
                select(PasswordReset).where(PasswordReset.user_id == admin.user_id)
            ).first()
            is None
        )
    assert len(smtp_server.messages) == mails_before
    # The refused list call sent no other organization's people back.
    assert not any(
        "pending@acme.example" in frame or "owner@firm.example" in frame for frame in tap.received
    )
    context.close()


def test_no_password_hash_or_token_reaches_any_browser(
    browser: Browser, portal_server, world, clean_attempts
):
    from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD

    frames: list[str] = []
    for email, password, paths in [
        (
            ADMIN_EMAIL,
            ADMIN_PASSWORD,
            [
                "/",
                "/people",
                "/settings/people",
                "/settings/clients",
                f"/settings/clients/{world['org_id']}",
                "/settings/outbox",
                "/account",
            ],
        ),
        ("cleo@acme.example", PASSWORD, ["/", "/people", "/account", "/settings/people"]),
    ]:
        tap = SocketTap()
        context = browser.new_context(base_url=portal_server.url)
        page = context.new_page()
        page.route_web_socket(re.compile(r".*/_event.*"), tap)
        sign_in(page, email, password)
        cookie = next(c["value"] for c in context.cookies() if c["name"] == sessions.COOKIE_NAME)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
        frames += tap.received + tap.sent
        assert not any(cookie in frame for frame in frames)
        context.close()

    with session_scope() as session:
        secrets = [u.password_hash for u in session.exec(select(User)) if u.password_hash]
        secrets += [s.token_hash for s in session.exec(select(UserSession))]
        secrets += [i.token_hash for i in session.exec(select(Invitation))]
        secrets += [r.token_hash for r in session.exec(select(PasswordReset))]
    everything = "\n".join(frames)
    assert "$2b$" not in everything
    assert not [secret for secret in secrets if secret in everything]
    assert len(frames) > 20  # the tap really saw the traffic


def test_deactivation_ends_open_sessions_immediately(portal_server, world, clean_attempts):
    token = _login(portal_server.url, "cleo@acme.example", PASSWORD).cookies[sessions.COOKIE_NAME]
    people.set_active(world["admin"], world["client_id"], False)
    try:
        assert sessions.resolve(token) is None
        with session_scope() as session:
            assert (
                session.exec(
                    select(UserSession).where(col(UserSession.user_id) == world["client_id"])
                ).first()
                is None
            )
    finally:
        people.set_active(world["admin"], world["client_id"], True)
        with session_scope() as session:
            session.execute(
                update(User).where(col(User.id) == world["client_id"]).values(active=True)
            )


def test_forged_editor_events_are_refused(browser: Browser, portal_server, world, clean_attempts):
    from portal_app.services import pages
    from portal_app.state.editor import EditorState

    admin = world["admin"]
    target = pages.create_page(admin, "Forgery target")
    other = pages.create_page(admin, "Someone else's page")
    column = other.sections[0].columns[0].id
    other = drafts.edit_draft(
        admin,
        other.id,
        other.revision,
        "add_widget",
        {"type_name": "heading", "column": column, "index": 0},
    )
    foreign_widget = other.sections[0].columns[0].widgets[0].id
    add_person("sid@firm.example", "Sid Staff", "staff", None, PASSWORD)

    # Staff editing one page refers to another page's widget, and to a made-up type.
    tap = SocketTap()
    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    page.route_web_socket(re.compile(r".*/_event.*"), tap)
    sign_in(page, "sid@firm.example", PASSWORD)
    page.goto(f"/editor/{target.id}")
    expect(page.locator("#editor-board")).to_be_visible()
    target_column = target.sections[0].columns[0].id
    tap.forge(
        _handler_name(EditorState.move_widget),
        {"widget_id": foreign_widget, "column": target_column, "index": 0},
    )
    expect(page.get_by_text("That widget isn't on this page").first).to_be_visible()
    tap.forge(
        _handler_name(EditorState.add_widget),
        {"type_name": "script_injector", "column": target_column, "index": 0},
    )
    expect(page.get_by_text("That kind of widget doesn't exist.").first).to_be_visible()
    context.close()

    # A client forges the editor's load and an add: they never get a draft to edit.
    tap = SocketTap()
    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    page.route_web_socket(re.compile(r".*/_event.*"), tap)
    sign_in(page, "cleo@acme.example", PASSWORD)
    tap.forge(_handler_name(EditorState.load), {}, path=f"/editor/{target.id}")
    tap.forge(
        _handler_name(EditorState.add_widget),
        {"type_name": "heading", "column": target_column, "index": 0},
    )
    page.wait_for_timeout(1500)
    assert not any("Forgery target" in frame for frame in tap.received)
    context.close()

    assert drafts.get_draft(admin, target.id).revision == target.revision
    untouched = drafts.get_draft(admin, other.id)
    assert untouched.revision == other.revision
    assert [w.id for w in untouched.sections[0].columns[0].widgets] == [foreign_widget]


OFF_SITE_TARGETS = [
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "https://evil.example",
    "//evil.example",
    "/%2F%2Fevil.example",
    "/" + "x" * 4000,
]


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_sign_in_route_follows_only_paths_on_the_portal(
    portal_server, world, clean_attempts, target
):
    response = httpx.post(
        f"{portal_server.url}/auth/login",
        json={"email": "cleo@acme.example", "password": PASSWORD, "next": target},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["next"] == "/"


def test_sign_in_route_keeps_a_path_on_the_portal(portal_server, world, clean_attempts):
    response = httpx.post(
        f"{portal_server.url}/auth/login",
        json={"email": "cleo@acme.example", "password": PASSWORD, "next": "/people"},
        timeout=10,
    )
    assert response.json()["next"] == "/people"


def test_a_phishing_sign_in_link_lands_on_the_portal(
    browser: Browser, portal_server, world, clean_attempts
):
    from urllib.parse import urlsplit

    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    # Anything leaving the portal would fail to load here: record where it went.
    left: list[str] = []
    context.route(
        re.compile(r"^https?://evil\.example.*"),
        lambda route: (left.append(route.request.url), route.abort()),
    )
    page.goto("/login?next=/%09/evil.example")
    page.get_by_label("E-mail").fill("cleo@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#welcome")).to_be_visible(timeout=30_000)
    assert urlsplit(page.url).netloc == urlsplit(portal_server.url).netloc
    # Signed in already, the same link again: still the portal.
    for target in ("/%09/evil.example", "/%5Cevil.example", "//evil.example"):
        page.goto(f"/login?next={target}")
        expect(page.locator("#welcome")).to_be_visible(timeout=30_000)
        assert urlsplit(page.url).netloc == urlsplit(portal_server.url).netloc
    assert left == []
    context.close()
