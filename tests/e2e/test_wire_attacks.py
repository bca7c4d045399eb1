"""Forged events at the protocol level, from a real socket.io client (and below it, raw
engine.io frames) against the running portal, signed in as a Northwind client of the
tenant world (tests/support/tenant_world.py).

What is tried: ``setvar`` on every var of every portal state with forged values (the
other organization's ids, admin roles, another person's identity); every handler with
arguments of the wrong type; ``hydrate``/``hydrate_and_load`` with forged router data,
forged client-storage vars and a forged cookie header; frames of 1 MB and 10 MB, nesting
100,000 deep, not JSON, binary junk; events before sign-in; a client token another
person is using; handler names that don't exist; ``null`` and missing Origins.

What must hold, for every case: nothing of the other organization, no password hash,
no session token (raw or hashed) in any frame; no change in the database unless the
person may make it; the server answers other tabs; no traceback in the server log
(forged frames are dropped by ``portal_app/state/event_guard.py`` with one warning line).
Every case is recorded in the security ledger (suite "wire").
"""

from __future__ import annotations

import asyncio
import inspect
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import socketio
from sqlalchemy import inspect as sql_inspect
from sqlalchemy import text
from sqlmodel import select

from portal_app.db import get_engine, session_scope
from portal_app.models import Invitation, PasswordReset, User, UserSession
from tests.e2e.support import server_env
from tests.support import ledger
from tests.support.tenant_world import PASSWORD, build_tenant_world
from tests.support.wire import HYDRATE, PortalTab, RawSocket

SUITE = "wire"
# Tables whose rows change only when someone does something (sign-in bookkeeping,
# audit, the mail queue's delivery status and sessions move on their own).
VOLATILE = {"login_attempt", "audit_event", "outbox_message", "user_session", "alembic_version"}


def _run(coroutine, timeout: float = 300):
    # Playwright's sync API may own this thread's event loop: use another thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=timeout)


def _sign_in(url: str, email: str) -> str:
    response = httpx.post(
        f"{url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.cookies["portal_session"]


class ServerLog:
    """What the server logged since this object was made."""

    def __init__(self, path) -> None:
        self.path = path
        self.start = path.stat().st_size

    def new(self) -> str:
        with self.path.open("rb") as log:
            log.seek(self.start)
            return log.read().decode("utf-8", "replace")

    def assert_no_traceback(self, operation: str) -> None:
        logged = self.new()
        failed = "Traceback" in logged or "Backend Exception" in logged
        if failed:
            ledger.record(
                SUITE,
                outcome=ledger.SERVER_ERROR,
                operation=operation,
                actor="ana",
                detail=logged[logged.find("Traceback") - 300 :][:1500],
            )
        assert not failed, f"traceback in the server log after {operation}:\n{logged[-3000:]}"


def fingerprint() -> dict[str, list[tuple]]:
    """Every row of every table people change (see VOLATILE), plus the mail count."""
    engine = get_engine()
    rows: dict[str, list[tuple]] = {}
    with engine.connect() as connection:
        for table in sorted(sql_inspect(engine).get_table_names()):
            if table in VOLATILE:
                continue
            found = connection.execute(text(f'SELECT * FROM "{table}"')).all()  # noqa: S608
            rows[table] = sorted((tuple(str(v) for v in row) for row in found), key=str)
        rows["outbox_message"] = [
            (connection.execute(text("SELECT count(*) FROM outbox_message")).scalar(),)
        ]
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [table for table in before if before[table] != after.get(table)]


def secrets_in_the_database() -> list[str]:
    with session_scope() as session:
        found = [u.password_hash for u in session.exec(select(User)) if u.password_hash]
        found += [s.token_hash for s in session.exec(select(UserSession))]
        found += [i.token_hash for i in session.exec(select(Invitation))]
        found += [r.token_hash for r in session.exec(select(PasswordReset))]
    return found


@pytest.fixture(scope="module")
def tenant(portal_server):
    with server_env(portal_server):
        world = build_tenant_world()
    url = portal_server.url
    world.cookies = {name: _sign_in(url, world.emails[name]) for name in ("ana", "hank")}
    return world


def must_not_see(world) -> list[str]:
    """What Ana must never receive: Globex's strings and staff-only titles, any hash of a
    password or token, and every session cookie (her own included: it is read on the
    server, never sent back)."""
    return [
        *world.foreign_secrets("ana"),
        *secrets_in_the_database(),
        *world.cookies.values(),
        "$2b$",
    ]


def leaks(world, frames: str, sent: str = "") -> list[str]:
    """Secrets in ``frames``, except what Ana typed herself (``sent``: a forged value or
    address the server echoes back, like the path she claims to be on)."""
    return [secret for secret in must_not_see(world) if secret in frames and secret not in sent]


def record_leaks(world, operation: str, frames: str, sent: str = "") -> None:
    found = leaks(world, frames, sent)
    if found:
        ledger.record(
            SUITE, outcome=ledger.LEAK, operation=operation, actor="ana", detail=repr(found[:5])
        )
    assert found == [], f"{operation} sent Ana {found}"


# --- the states and handlers the server has ------------------------------------------------


def portal_states() -> list[type]:
    """Reflex's root state and every portal state (widget states included)."""
    from reflex.state import State

    import portal_app.portal_app  # noqa: F401  (registers every page's state)
    from portal_app.components.widget_ui import widget_uis
    from portal_app.state.identity import person_state_classes

    widget_uis()  # loads the installed widget types' states
    return [State, *person_state_classes()]


def own_vars(cls) -> list[str]:
    parent = cls.get_parent_state()
    inherited = set(parent.get_fields()) if parent is not None else set()
    return sorted(set(cls.get_fields()) - inherited)


def own_handlers(cls) -> dict[str, Any]:
    """The handlers a state class defines itself (not setvar, not inherited)."""
    parent = cls.get_parent_state()
    inherited = set(parent.event_handlers) if parent is not None else set()
    return {
        name: handler
        for name, handler in cls.event_handlers.items()
        if name not in inherited and name != "setvar"
    }


def forged_values(world) -> list[Any]:
    """The other organization's ids, admin flags, another person's identity."""
    hank = world.actor("hank")
    globex_room = world.pages["globex_room"]
    return [
        world.organization_ids["globex"],
        "admin",
        {
            "id": hank.user_id,
            "email": world.emails["hank"],
            "role": "admin",
            "organization_id": world.organization_ids["globex"],
            "slug": globex_room.slug,
            "widget": globex_room.widget("discussion"),
        },
    ]


# --- setvar --------------------------------------------------------------------------------


def test_setvar_on_every_var_is_refused_at_the_door(portal_server, tenant):
    url = portal_server.url
    states = portal_states()
    values = forged_values(tenant)
    cases = [(cls, var) for cls in states for var in own_vars(cls)]
    assert len(cases) > 100, "the states' vars were not all found"
    log = ServerLog(portal_server.log_path)
    before = fingerprint()

    async def scenario() -> PortalTab:
        tab = PortalTab(url)
        await tab.open("/", tenant.cookies["ana"])
        for cls, var in cases:
            for value in values:
                await tab.emit(f"{cls.get_full_name()}.setvar", {"var_name": var, "value": value})
        await tab.settle(2.0, limit=60)
        # What the forged vars would feed: the actions that read them. Ana may do none.
        from portal_app.state.editor import EditorState
        from portal_app.state.organizations import ClientsState
        from portal_app.state.page_admin import NewPageState
        from portal_app.state.people import PeopleAdminState

        for handler, payload in [
            (PeopleAdminState.save_edit, {}),
            (PeopleAdminState.send_invitation, {"form": {"email": "forged@evil.example"}}),
            (PeopleAdminState.confirm_active, {}),
            (ClientsState.assign_staff, {}),
            (ClientsState.confirm_archive, {}),
            (NewPageState.create, {"form": {"title": "Forged page"}}),
            (EditorState.save_share, {}),
        ]:
            from tests.support.wire import handler_name

            await tab.emit(handler_name(handler), payload)
        await tab.settle(2.0, limit=60)
        await tab.open("/people", tenant.cookies["ana"])
        await tab.close()
        return tab

    tab = _run(scenario())
    frames = tab.text()
    record_leaks(tenant, "setvar", frames, sent=json.dumps(values))
    assert "Ana Northwindclient" in frames  # the tab kept working as Ana
    refused = log.new().count("Refused an event from a browser")
    # setvar is never offered: every one is refused at the door, plain setter or not.
    assert refused == len(cases) * len(values)
    for cls, var in cases:
        ledger.record(
            SUITE,
            outcome=ledger.REFUSED,
            operation=f"{cls.__name__}.setvar({var})",
            actor="northwind client",
        )
    # Ana's own identity never changed on the screen, whatever she sent.
    assert '"me_role_rx_state_": "admin"' not in frames
    assert '"may_open_settings_rx_state_": true' not in frames
    changed = changed_tables(before, fingerprint())
    if changed:
        ledger.record(SUITE, outcome=ledger.FORBIDDEN_CHANGE, operation="setvar", detail=changed)
    assert changed == []
    log.assert_no_traceback("setvar")


# --- every handler with arguments of the wrong type -----------------------------------------

# (Lone surrogates can't go through a socket.io client: the raw-frame test sends them.)
WRONG = [None, {"nested": [1, {"x": "y"}]}, ["a", 1], 10**30, -1, True, "\x00", "x" * 50_000]


def _arguments(fn, value) -> dict[str, Any]:
    names = list(inspect.signature(fn).parameters)[1:]
    return {name: value for name in names}


def test_every_handler_survives_arguments_of_the_wrong_type(portal_server, tenant):
    """Signed in as Ana, and signed out: each handler of each state gets each wrong value
    for all its arguments. Nothing may crash, leak or change."""
    url = portal_server.url
    handlers = [
        (cls, name, handler)
        for cls in portal_states()
        for name, handler in own_handlers(cls).items()
    ]
    assert len(handlers) > 60
    log = ServerLog(portal_server.log_path)
    before = fingerprint()

    async def scenario(cookie: str) -> PortalTab:
        tab = PortalTab(url)
        await tab.open("/", cookie)
        for cls, name, handler in handlers:
            for value in WRONG:
                await tab.emit(f"{cls.get_full_name()}.{name}", _arguments(handler.fn, value))
        await tab.settle(2.0, limit=120)
        await tab.close()
        return tab

    signed_in = _run(scenario(tenant.cookies["ana"]), timeout=600)
    signed_out = _run(scenario(""), timeout=600)
    for label, tab in (("northwind client", signed_in), ("anonymous", signed_out)):
        record_leaks(tenant, f"wrong types as {label}", tab.text(), sent=json.dumps(WRONG))
        for cls, name, _ in handlers:
            ledger.record(
                SUITE, outcome=ledger.INERT, operation=f"{cls.__name__}.{name}", actor=label
            )
    changed = changed_tables(before, fingerprint())
    assert changed == [], f"wrong-typed events changed {changed}"
    log.assert_no_traceback("wrong-typed arguments")


# --- before sign-in: every handler with arguments that look right ---------------------------


def _plausible(fn, world) -> dict[str, Any]:
    """Well-typed arguments naming the tenant world's real things (Northwind's and
    Globex's pages, widgets, people, comments, files), so a handler gets as far as its
    service would let it."""
    from reflex_base.utils.types import get_type_hints

    room = world.pages["northwind_room"]
    hints = get_type_hints(fn)
    form = {
        "widget": room.widget("discussion"),
        "__widget": room.widget("form"),
        "body": "Posted before signing in",
        "note": "Submitted before signing in",
        "name": "Renamed before signing in",
        "title": "Created before signing in",
        "email": "anonymous-invite@evil.example",
        "comment": world.comments["northwind"],
        "current_password": PASSWORD,
        "new_password": "a different long password",
    }
    by_type = {
        int: world.comments["northwind"],
        str: room.widget("discussion"),
        bool: True,
        float: 1.0,
    }
    arguments = {}
    for name in list(inspect.signature(fn).parameters)[1:]:
        hint = hints.get(name, str)
        origin = getattr(hint, "__origin__", hint)
        if origin is dict:
            arguments[name] = form
        elif origin is list:
            arguments[name] = [room.widget(t) for t in ("discussion", "form", "attachments")]
        elif name in ("page_id",):
            arguments[name] = room.id
        elif name in ("user_id", "organization_id"):
            arguments[name] = world.actor("ana").user_id
        elif name in ("submission_id",):
            arguments[name] = world.submissions["northwind"]
        elif name in ("row_id", "file_id"):
            arguments[name] = world.files["northwind"]
        else:
            arguments[name] = by_type.get(origin, "x")
    return arguments


def test_events_before_sign_in_read_and_change_nothing(portal_server, tenant):
    """No cookie: every handler of every state, with arguments naming real things.
    Each answer is a sign-in redirect, a refusal or nothing."""
    url = portal_server.url
    handlers = [
        (cls, name, handler)
        for cls in portal_states()
        for name, handler in own_handlers(cls).items()
    ]
    log = ServerLog(portal_server.log_path)
    before = fingerprint()

    async def scenario() -> PortalTab:
        tab = PortalTab(url)
        await tab.open("/login")
        room = tenant.pages["northwind_room"]
        for cls, name, handler in handlers:
            await tab.emit(
                f"{cls.get_full_name()}.{name}",
                _plausible(handler.fn, tenant),
                f"/pages/{room.slug}",
            )
        await tab.settle(2.0, limit=120)
        await tab.close()
        return tab

    frames = _run(scenario()).text()
    # Nobody is signed in: nothing of either organization, nor any person, comes back.
    found = [s for s in tenant.secrets["northwind"] + tenant.secrets["globex"] if s in frames]
    found += [s for s in must_not_see(tenant) if s in frames]
    found = [s for s in found if s not in json.dumps([tenant.pages["northwind_room"].slug])]
    assert found == [], f"signed out, the tab received {found}"
    assert "Our walrus tariff appeal" not in frames  # Northwind's own comment, too
    for cls, name, _ in handlers:
        ledger.record(
            SUITE, outcome=ledger.REFUSED, operation=f"{cls.__name__}.{name}", actor="anonymous"
        )
    changed = changed_tables(before, fingerprint())
    if changed:
        ledger.record(
            SUITE, outcome=ledger.FORBIDDEN_CHANGE, operation="before sign-in", detail=changed
        )
    assert changed == [], f"events before sign-in changed {changed}"
    log.assert_no_traceback("events before sign-in")


# --- hydrate with forged router data and vars ---------------------------------------------


def test_hydrate_with_forged_router_data_vars_and_cookie(portal_server, tenant):
    from portal_app.state.session import SessionState

    url = portal_server.url
    globex = tenant.pages["globex_room"]
    restricted = tenant.pages["staff_restricted"]
    session_state = SessionState.get_full_name()
    forged_paths = [
        f"/pages/{globex.slug}",
        f"/pages/{restricted.slug}",
        f"/pages/{tenant.pages['draft'].slug}",
        "/settings/people",
        "/settings/clients",
        f"/settings/clients/{tenant.organization_ids['globex']}",
        "/settings/outbox",
        f"/editor/{globex.id}",
        f"/invite/{'A' * 43}",
        f"/reset/{'B' * 43}",
        "/search?q=Globex",
        "/search?q=pelican",
    ]
    forged_vars = {
        f"{session_state}.me_role": "admin",
        f"{session_state}.may_open_settings": True,
        f"{session_state}.me_id": tenant.actor("hank").user_id,
        "no_such_state.anything": 1,
        "reflex___state____state.is_hydrated": True,
    }
    log = ServerLog(portal_server.log_path)
    before = fingerprint()

    async def scenario() -> PortalTab:
        tab = PortalTab(url)
        await tab.open("/", tenant.cookies["ana"])
        for path in forged_paths:
            await tab.emit(HYDRATE, {"vars": forged_vars, "hashes": ["forged"] * 50}, path)
            await tab.emit("reflex___state____state.hydrate", {}, path)
            # Hank's cookie written into the router data's headers: the server keeps the
            # socket's own headers, so this is still Ana.
            await tab.emit(
                HYDRATE,
                {},
                path,
                router_data={
                    "pathname": path,
                    "asPath": path,
                    "headers": {"cookie": f"portal_session={tenant.cookies['hank']}"},
                    "client_ip": "10.0.0.1",
                    "token": "forged",
                },
            )
        for forged in ({"vars": "not an object"}, {"hashes": "nope"}, {"hashes": [1, 2]}):
            await tab.emit(HYDRATE, forged, "/")
        await tab.settle(2.0, limit=120)
        await tab.close()
        return tab

    tab = _run(scenario())
    frames = tab.text()
    record_leaks(tenant, "hydrate", frames, sent=" ".join(forged_paths))
    assert "Ana Northwindclient" in frames
    assert '"me_role_rx_state_": "admin"' not in frames
    assert "Hank Globexclient" not in frames
    for path in forged_paths:
        ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"hydrate {path}", actor="ana")
    assert changed_tables(before, fingerprint()) == []
    log.assert_no_traceback("forged hydrate")


# --- frames no browser sends ---------------------------------------------------------------


def test_oversized_malformed_and_unknown_frames_leave_the_server_answering(portal_server, tenant):
    from portal_app.state.people import DirectoryState

    url = portal_server.url
    search = f"{DirectoryState.get_full_name()}.set_search"
    frame = RawSocket.event_frame
    deep = 100_000
    cases: list[tuple[str, Any]] = [
        ("1 MB string", frame(search, json.dumps({"value": "y" * 1_000_000}))),
        ("10 MB string", frame(search, json.dumps({"value": "z" * 10_000_000}))),
        ("nested 100,000 deep", frame(search, '{"value":' + "[" * deep + "]" * deep + "}")),
        ("nested 60 deep object", frame(search, '{"value":' + '{"a":' * 60 + "1" + "}" * 61)),
        ("nested 200 deep list", frame(search, '{"value":' + "[" * 200 + "]" * 200 + "}")),
        ("lone surrogate and NUL", frame(search, '{"value":"Glo\\ud800bex\\u0000"}')),
        ("not JSON", '42/_event,["event",{"name":'),
        ("binary junk", b"\xff\xfe\x00\x01garbage"),
        ("event is a string", '42/_event,["event","hello"]'),
        ("event is a list", '42/_event,["event",[1,2,3]]'),
        ("payload is a list", frame(search, '["value"]')),
        ("no name", '42/_event,["event",{"payload":{}}]'),
        ("name is a number", '42/_event,["event",{"name":5,"payload":{}}]'),
        ("unknown state", frame("no_such_state.handler", "{}")),
        ("unknown handler", frame(f"{DirectoryState.get_full_name()}.drop_tables", "{}")),
        ("private method", frame(f"{DirectoryState.get_full_name()}._call", "{}")),
        ("10 KB handler name", frame("x" * 10_000, "{}")),
        ("missing argument", frame(search, "{}")),
        ("extra argument", frame(search, '{"value":"a","sql":"drop"}')),
        ("unknown socket.io event", '42/_event,["admin",{"name":"x"}]'),
    ]
    log = ServerLog(portal_server.log_path)

    async def scenario() -> dict[str, tuple[bool, str]]:
        results = {}
        for label, data in cases:
            raw = RawSocket(url, tenant.cookies["ana"])
            await raw.open()
            if isinstance(data, bytes):
                await raw.send_bytes(data)
            else:
                await raw.send_text(data)
            await raw.drain(1.0)
            results[label] = (raw.closed, "\n".join(raw.received))
            await raw.close()
            # Another tab of the same person is answered right after each one.
            other = PortalTab(url)
            await other.open("/people", tenant.cookies["ana"], settle=1.0)
            results[label + " (other tab)"] = (other.connected, other.text())
            await other.close()
        return results

    results = _run(scenario(), timeout=600)
    for label, _ in cases:
        closed, received = results[label]
        record_leaks(tenant, label, received)
        _, answered = results[label + " (other tab)"]
        assert tenant.emails["thomas"] in answered, f"no answer to another tab after {label}"
        ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"frame: {label}", actor="ana")
    # The 10 MB frame is over the socket's limit: the server closes that socket.
    assert results["10 MB string"][0] is True
    log.assert_no_traceback("malformed frames")
    assert "portal_session=" not in log.new()  # no cookie copied into the log either


# --- before sign-in, someone else's token, origins -----------------------------------------


def test_a_token_another_person_is_using_gets_nothing_of_theirs(portal_server, tenant):
    """Hank (Globex) has a tab open on his room; Ana connects with Hank's client token
    (as a forged socket can) and loads pages: she gets her own data, never his, and
    Hank's tab stays his."""
    url = portal_server.url
    globex = tenant.pages["globex_room"]
    log = ServerLog(portal_server.log_path)

    async def scenario() -> tuple[str, str]:
        hank = PortalTab(url)
        await hank.open(f"/pages/{globex.slug}", tenant.cookies["hank"])
        assert "Globex Merger Dossier" in hank.text()
        hank.frames.clear()
        ana = PortalTab(url, token=hank.token)
        await ana.open("/", tenant.cookies["ana"])
        await ana.open("/people", tenant.cookies["ana"])
        await ana.open(f"/pages/{globex.slug}", tenant.cookies["ana"])
        await hank.send(HYDRATE, {}, f"/pages/{globex.slug}")
        await ana.close()
        await hank.close()
        return ana.text(), hank.text()

    ana_frames, hank_frames = _run(scenario())
    record_leaks(tenant, "a token in use by another person", ana_frames, sent=globex.slug)
    assert tenant.emails["thomas"] in ana_frames
    assert "Globex Merger Dossier" in hank_frames  # Hank's own tab still shows his room
    assert "Ana Northwindclient" not in hank_frames and "walrus" not in hank_frames
    ledger.record(SUITE, outcome=ledger.REFUSED, operation="reuse a live token", actor="ana")
    log.assert_no_traceback("token reuse")


def test_null_origin_is_refused_and_a_missing_one_is_nobody(portal_server, tenant):
    """A browser always sends Origin on a websocket; ``null`` (a sandboxed frame, a
    file:// page) is another site. A client without an Origin isn't a browser, so it
    carries no victim's cookie: it is let in as nobody."""
    url = portal_server.url

    async def connects(headers: dict[str, str]) -> bool:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(
                url,
                headers=headers,
                transports=["websocket"],
                socketio_path="/_event",
                namespaces=["/_event"],
                wait_timeout=5,
            )
        except socketio.exceptions.ConnectionError:
            return False
        connected = client.connected
        await client.disconnect()
        return connected

    for origin in ("null", url + ".evil.example", url.replace("http://", "https://")):
        assert _run(connects({"Origin": origin})) is False, origin
        ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"origin {origin}")
    assert _run(connects({})) is True

    async def no_origin() -> str:
        tab = PortalTab(url)
        tab_client = socketio.AsyncClient(reconnection=False)
        frames: list[str] = []
        tab_client.on("event", lambda data: frames.append(json.dumps(data)), namespace="/_event")
        await tab_client.connect(
            f"{url}?token={tab.token}",
            transports=["websocket"],
            socketio_path="/_event",
            namespaces=["/_event"],
            wait_timeout=10,
        )
        await tab_client.emit(
            "event",
            {"name": HYDRATE, "payload": {}, "router_data": {"pathname": "/people", "asPath": "/"}},
            namespace="/_event",
        )
        await asyncio.sleep(2)
        await tab_client.disconnect()
        return "\n".join(frames)

    frames = _run(no_origin())
    assert "/login?next=" in frames
    record_leaks(tenant, "no Origin", frames)
    for who in ("ana", "thomas"):
        assert tenant.emails[who] not in frames
    ledger.record(SUITE, outcome=ledger.REFUSED, operation="no Origin, no cookie")
