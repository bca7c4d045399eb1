"""One tab, one person: what a tab's states held for one person never reaches the next.

Reflex keeps a tab's state on the server under the tab's client token, and the browser
keeps that token across sign-out. These tests sign person A in, load every screen that
holds A's data in one tab, sign A out and then sign B in *with the same client token*
(what a shared office computer does, and what a forged socket can do on purpose), and
search every frame B receives for A's data.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Browser, expect

from portal_app.access import actor_for
from portal_app.db import session_scope
from portal_app.models import User
from portal_app.services import pages, people
from portal_app.widgets.discussion import actions as discussion
from tests.e2e.support import server_env
from tests.e2e.support_world import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    add_person,
    admin_actor,
    organization_id,
)
from tests.support.pages import build_page
from tests.support.wire import PortalTab

PASSWORD = "tab share lantern copper"  # noqa: S105


def _run(coroutine):
    # Playwright's sync API owns this thread's event loop: use another thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=180)


def _sign_in(url: str, email: str, password: str) -> str:
    response = httpx.post(
        f"{url}/auth/login", json={"email": email, "password": password}, timeout=15
    )
    assert response.status_code == 200, response.text
    return response.cookies["portal_session"]


def _sign_out(url: str, cookie: str) -> None:
    httpx.post(f"{url}/auth/logout", cookies={"portal_session": cookie}, timeout=15)


@pytest.fixture(scope="module")
def world(portal_server, admin_account):
    """Umbrella (A's side: a client, a pending invitation, a staff-only draft) and two
    other organizations whose clients share one tab one after the other."""
    with server_env(portal_server):
        admin = admin_actor()

        def org(name: str) -> int:
            # Get or create: pytest may build a module fixture again when it regroups
            # parametrized tests.
            return organization_id(name)

        umbrella = org("Umbrella Leakcheck")
        acme, initech = org("Acme Tabshare"), org("Initech Tabshare")
        add_person("ursula@umbrella.example", "Ursula Umbra", "limited", umbrella, PASSWORD)
        people.invite(admin, "pending-leak@umbrella.example", "limited", umbrella)
        draft = pages.create_page(admin, "Merger plans draft")
        add_person("bea@acme.example", "Bea Acme", "limited", acme, PASSWORD)
        ivan_id = add_person("ivan@initech.example", "Ivan Initech", "limited", initech, PASSWORD)
        add_person("iris@initech.example", "Iris Initech", "limited", initech, PASSWORD)
        room = build_page(
            admin,
            "Tabshare quarterly review",
            [("discussion", None)],
            organizations={initech: "contribute"},
        )
        with session_scope() as session:
            ivan = actor_for(session.get(User, ivan_id))
        discussion.post_comment(ivan, room.id, room.widget("discussion"), "Tabshare budget is 4.2M")
        return {
            "umbrella": umbrella,
            "draft_id": draft.id,
            "room_slug": room.slug,
        }


ADMIN_DATA = [
    "Ursula Umbra",
    "ursula@umbrella.example",
    "Umbrella Leakcheck",
    "pending-leak@umbrella.example",
    "Merger plans draft",
    "Olivia Owner",
    ADMIN_EMAIL,
    "Tabshare quarterly review",
    "$2b$",
]
INITECH_DATA = [
    "Ivan Initech",
    "ivan@initech.example",
    "Iris Initech",
    "Tabshare quarterly review",
    "Tabshare budget",
]


def _admin_paths(world) -> list[str]:
    return [
        "/settings/people",
        "/settings/clients",
        f"/settings/clients/{world['umbrella']}",
        "/settings/outbox",
        f"/editor/{world['draft_id']}",
        "/people",
        "/",
    ]


async def _one_tab_two_people(url, first, first_paths, second, second_paths):
    """Person ``first`` uses a tab, signs out; ``second`` signs in in the same tab.
    Returns (frames the first person got, frames sent after the switch)."""
    tab = PortalTab(url)
    cookie = _sign_in(url, *first)
    for path in first_paths:
        await tab.open(path, cookie)
    before = tab.text()
    _sign_out(url, cookie)
    tab.frames.clear()
    # Nobody signed in yet: the sign-in page, same token.
    await tab.open("/login")
    second_cookie = _sign_in(url, *second)
    for path in second_paths:
        await tab.open(path, second_cookie)
    await tab.close()
    return before, tab.text()


def test_admin_then_client_in_one_tab(portal_server, world):
    before, after = _run(
        _one_tab_two_people(
            portal_server.url,
            (ADMIN_EMAIL, ADMIN_PASSWORD),
            _admin_paths(world),
            ("bea@acme.example", PASSWORD),
            ["/", "/people"],
        )
    )
    # The admin's screens really held the data (so its absence below means something).
    for value in ("Ursula Umbra", "pending-leak@umbrella.example", "Merger plans draft"):
        assert value in before
    assert "Bea Acme" in after  # the client's own screen did load
    leaked = [value for value in ADMIN_DATA if value in after]
    assert leaked == [], f"the next person in the tab received the admin's {leaked}"


def test_client_then_client_of_another_organization_in_one_tab(portal_server, world):
    before, after = _run(
        _one_tab_two_people(
            portal_server.url,
            ("ivan@initech.example", PASSWORD),
            ["/", "/people", f"/pages/{world['room_slug']}"],
            ("bea@acme.example", PASSWORD),
            ["/", "/people"],
        )
    )
    for value in ("Iris Initech", "Tabshare quarterly review", "Tabshare budget is 4.2M"):
        assert value in before
    assert "Bea Acme" in after
    leaked = [value for value in INITECH_DATA if value in after]
    assert leaked == [], f"Acme's client received Initech's {leaked}"


def test_forged_events_after_sign_out_read_nothing(portal_server, world):
    """Signed out, the same token sends the previous person's handlers: nothing comes
    back but defaults and refusals."""
    from portal_app.state.outbox import OutboxState
    from portal_app.state.people import PeopleAdminState
    from tests.support.wire import handler_name

    async def scenario() -> str:
        tab = PortalTab(portal_server.url)
        cookie = _sign_in(portal_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        await tab.open("/settings/outbox", cookie)
        await tab.open("/settings/people", cookie)
        _sign_out(portal_server.url, cookie)
        tab.frames.clear()
        await tab.open("/login")
        await tab.send(handler_name(OutboxState.select), {"message_id": 1}, "/settings/outbox")
        await tab.send(
            handler_name(PeopleAdminState.set_invite_role), {"value": "staff"}, "/settings/people"
        )
        await tab.close()
        return tab.text()

    after = _run(scenario())
    leaked = [value for value in ADMIN_DATA if value in after]
    assert leaked == []


def test_the_browser_tab_of_the_next_person_receives_nothing_of_the_last(
    browser: Browser, portal_server, world
):
    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    frames: list[str] = []
    recording = {"on": False}

    def watch(socket) -> None:
        def received(payload) -> None:
            if recording["on"] and isinstance(payload, str):
                frames.append(payload)

        socket.on("framereceived", received)

    page.on("websocket", watch)
    page.goto("/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#welcome")).to_be_visible(timeout=30_000)
    for path in _admin_paths(world)[:-1]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Merger plans draft").first).to_be_attached()
    page.goto("/settings/people")
    expect(page.get_by_text("Ursula Umbra").first).to_be_visible()

    # The admin signs out from the menu; the next person signs in in this same tab.
    page.get_by_role("button", name="Your account").click()
    page.get_by_role("menuitem", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login"), timeout=30_000)
    recording["on"] = True
    page.get_by_label("E-mail").fill("bea@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#welcome")).to_be_visible(timeout=30_000)
    page.goto("/people")
    expect(page.get_by_text("Bea Acme").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    context.close()

    assert frames, "the tap saw no frames"
    everything = "\n".join(frames)
    leaked = [value for value in ADMIN_DATA if value in everything]
    assert leaked == [], f"the next person's frames carried {leaked}"


def test_a_clients_frames_carry_only_what_the_screen_shows(portal_server, world):
    """The directory sends a client only the cards' fields; admin dialogs forged from a
    client's socket are refused before any of their state is filled."""
    from portal_app.state.organizations import ClientsState
    from portal_app.state.people import PeopleAdminState
    from tests.support.wire import handler_name

    admin_id = admin_actor().user_id

    async def scenario() -> str:
        tab = PortalTab(portal_server.url)
        cookie = _sign_in(portal_server.url, "ivan@initech.example", PASSWORD)
        await tab.open("/people", cookie)
        for handler, payload in [
            (PeopleAdminState.open_edit, {"user_id": admin_id}),
            (PeopleAdminState.ask_active, {"user_id": admin_id}),
            (ClientsState.open_rename, {"organization_id": world["umbrella"]}),
            (ClientsState.ask_archive, {"organization_id": world["umbrella"]}),
        ]:
            await tab.send(handler_name(handler), payload, "/people")
        await tab.close()
        return tab.text()

    frames = _run(scenario())
    assert "Iris Initech" in frames  # the directory did load
    for field in ('"last_sign_in"', '"joined"', '"active"', '"organization_id"'):
        assert field not in frames, f"{field} was sent to a client"
    assert "You don't have permission to do that." in frames
    assert "Olivia Owner" not in frames and "Umbrella Leakcheck" not in frames


def test_an_ended_session_empties_the_tab_at_its_next_event(portal_server, world):
    """ "Sign out everywhere" (or deactivation, or expiry) ends the session behind an
    open tab: the tab's next event clears everything and sends it to sign in."""
    from portal_app.state.people import PeopleAdminState
    from tests.support.wire import handler_name

    async def scenario() -> tuple[str, str]:
        tab = PortalTab(portal_server.url)
        cookie = _sign_in(portal_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
        await tab.open("/settings/people", cookie)
        before = tab.text()
        httpx.post(
            f"{portal_server.url}/auth/logout-everywhere",
            cookies={"portal_session": cookie},
            timeout=15,
        )
        tab.frames.clear()
        # The open socket still carries the old cookie; the session behind it is gone.
        await tab.send(handler_name(PeopleAdminState.set_search), {"value": "umbra"}, "/")
        await tab.close()
        return before, tab.text()

    before, after = _run(scenario())
    assert "Ursula Umbra" in before
    assert "/login?next=" in after and "signed_out" in after
    assert '"people_rx_state_": []' in after  # the loaded list was emptied
    assert [value for value in ADMIN_DATA if value in after] == []
