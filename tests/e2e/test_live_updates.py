"""Live updates between tabs, and sign-out on every worker, in real browsers.

In scale mode (PORTAL_TEST_MODE=scale: 2 workers, PostgreSQL, Redis) the tabs that must
see each other are put on *different* workers: which worker holds a tab's event socket
is read from Reflex's own socket record in Redis (keyed by the tab's client token, which
the browser keeps in sessionStorage), and a tab is reopened until it lands on the other
worker. In single mode every tab is on the one worker.

- A comment posted in one tab appears in the others without a reload: a colleague's
  tab and a staff tab see it; a client of the *other* organization on the same shared
  page does not — not on screen, not in any frame its socket received — while that
  same tab does receive a staff comment live (so the watcher there is running).
- A person with two tabs is deactivated by an administrator: both tabs land on the
  sign-in page within seconds without any action, and nothing posted afterwards
  reaches them.
"""

from __future__ import annotations

import pickle
import re
import time
import uuid

import pytest
import redis
from playwright.sync_api import BrowserContext, Page, expect

from portal_app.access import actor_for
from portal_app.db import session_scope
from portal_app.models import User
from portal_app.services import organizations, people
from portal_app.widgets.discussion import actions as discussion
from tests.e2e.support import server_env
from tests.e2e.support_world import add_person, admin_actor, sign_in
from tests.support.pages import build_page

PASSWORD = "live wires across workers"  # noqa: S105
LIVE_TIMEOUT = 15_000  # ms: the watcher polls every second; allow for a loaded 2-core machine
SOCKET_RECORD = "token_manager_socket_record_"


def _actor(user_id: int):
    with session_scope() as session:
        return actor_for(session.get(User, user_id))


@pytest.fixture(scope="module")
def room(portal_server, admin_account):
    with server_env(portal_server):
        return _room()


def _room() -> dict:
    admin = admin_actor()
    north = organizations.create_organization(admin, "Livewire North").id
    south = organizations.create_organization(admin, "Livewire South").id
    ids = {
        "nell": add_person("nell@livenorth.example", "Nell North", "limited", north, PASSWORD),
        "noah": add_person("noah@livenorth.example", "Noah North", "limited", north, PASSWORD),
        "sid": add_person("sid@livesouth.example", "Sid South", "limited", south, PASSWORD),
        "stu": add_person("stu@firm.example", "Stu Staff", "staff", None, PASSWORD),
        "dora": add_person("dora@livenorth.example", "Dora Door", "limited", north, PASSWORD),
    }
    page = build_page(
        admin,
        "Live room",
        [("discussion", None)],
        organizations={north: "contribute", south: "contribute"},
    )
    return {"page": page, "ids": ids, "actors": {k: _actor(v) for k, v in ids.items()}}


class Workers:
    """Which backend worker holds a tab's event socket."""

    def __init__(self, server, mode: str) -> None:
        url = server.env.get("PORTAL_REDIS_URL", "")
        self.redis = redis.Redis.from_url(url) if mode == "scale" and url else None

    def of(self, tab: Page, timeout: float = 15.0) -> str:
        if self.redis is None:
            return "the only worker"
        token = tab.evaluate("window.sessionStorage.getItem('token')")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = self.redis.get(SOCKET_RECORD + str(token))
            if raw:
                return pickle.loads(raw).instance_id  # noqa: S301  (our own test Redis)
            time.sleep(0.2)
        raise AssertionError(f"no socket record for tab token {token!r}")


def _watch_frames(tab: Page) -> list[str]:
    """Every frame this tab's sockets receive from now on."""
    frames: list[str] = []
    tab.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(str(data))))
    return frames


def _open(context: BrowserContext, slug: str, workers: Workers, avoid: set[str]) -> tuple:
    """A new tab on the page, on a worker not in ``avoid`` (when there is one to find)."""
    for _ in range(12):
        tab = context.new_page()
        frames = _watch_frames(tab)
        tab.goto(f"/pages/{slug}")
        expect(tab.locator("#page-title")).to_have_text("Live room", timeout=30_000)
        expect(tab.get_by_test_id("discussion")).to_be_visible()
        worker = workers.of(tab)
        if worker not in avoid or workers.redis is None:
            return tab, frames, worker
        tab.close()
    raise AssertionError(f"12 tabs in a row all landed on {avoid}")


def _signed_in(browser, server, email: str) -> BrowserContext:
    context = browser.new_context(base_url=server.url)
    first = context.new_page()
    sign_in(first, email, PASSWORD)
    first.close()
    return context


def _post(tab: Page, text: str) -> None:
    tab.get_by_label("Add a comment").fill(text)
    tab.get_by_role("button", name="Post comment").click()
    expect(tab.get_by_test_id("comment").filter(has_text=text)).to_be_visible()


def _shows(tab: Page, text: str):
    return tab.get_by_test_id("comment").filter(has_text=text)


def test_a_comment_appears_live_in_other_tabs_but_never_in_the_other_organizations(
    browser, portal_server, portal_mode, room
):
    workers = Workers(portal_server, portal_mode)
    slug = room["page"].slug
    nell_tab, _, nell_worker = _open(
        _signed_in(browser, portal_server, "nell@livenorth.example"), slug, workers, set()
    )
    # Noah (Nell's colleague) and Stu (staff) on the other worker; Sid (the other
    # organization) too, so the refusal is tested across workers as well.
    others = {}
    for who, email in (
        ("noah", "noah@livenorth.example"),
        ("stu", "stu@firm.example"),
        ("sid", "sid@livesouth.example"),
    ):
        context = _signed_in(browser, portal_server, email)
        others[who] = _open(context, slug, workers, {nell_worker})
        if workers.redis is not None:
            assert others[who][2] != nell_worker

    north_words = f"north-only-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    _post(nell_tab, north_words)
    # Without any reload, the colleague's and the staff member's tabs show it.
    for who in ("noah", "stu"):
        expect(_shows(others[who][0], north_words)).to_be_visible(timeout=LIVE_TIMEOUT)
    arrived = time.monotonic() - started

    # Staff posts: every tab gets it live, the other organization's included ...
    staff_words = f"staff-note-{uuid.uuid4().hex[:8]}"
    _post(others["stu"][0], staff_words)
    sid_tab, sid_frames, _ = others["sid"]
    for tab in (nell_tab, others["noah"][0], sid_tab):
        expect(_shows(tab, staff_words)).to_be_visible(timeout=LIVE_TIMEOUT)
    # ... which proves Sid's watcher reloaded after Nell's comment too, as Sid: it is
    # neither on Sid's screen nor in anything Sid's browser received.
    expect(_shows(sid_tab, north_words)).to_have_count(0)
    assert not [frame for frame in sid_frames if north_words in frame]
    assert [frame for frame in sid_frames if staff_words in frame]
    # Nobody reloaded: the tabs are still the documents first loaded.
    for tab in (nell_tab, *(entry[0] for entry in others.values())):
        assert tab.evaluate("performance.getEntriesByType('navigation').length") == 1
    print(f"\n[live] comment reached the other worker's tabs in {arrived:.1f}s")


def test_a_deactivated_person_is_signed_out_in_every_tab_on_every_worker(
    browser, portal_server, portal_mode, room
):
    workers = Workers(portal_server, portal_mode)
    slug = room["page"].slug
    context = _signed_in(browser, portal_server, "dora@livenorth.example")
    first, first_frames, first_worker = _open(context, slug, workers, set())
    second, second_frames, second_worker = _open(context, slug, workers, {first_worker})
    if workers.redis is not None:
        assert first_worker != second_worker

    started = time.monotonic()
    people.set_active(admin_actor(), room["ids"]["dora"], False)
    for tab in (first, second):
        expect(tab).to_have_url(re.compile(r"/login\?"), timeout=LIVE_TIMEOUT)
        expect(tab.get_by_role("button", name="Sign in")).to_be_visible()
    print(f"\n[live] both tabs on the sign-in page {time.monotonic() - started:.1f}s after")

    # Nothing more reaches them: a comment posted now is in no frame either tab gets.
    seen = (len(first_frames), len(second_frames))
    words = f"after-dora-{uuid.uuid4().hex[:8]}"
    discussion.post_comment(
        room["actors"]["stu"], room["page"].id, room["page"].widget("discussion"), words
    )
    time.sleep(4)
    for frames, count in ((first_frames, seen[0]), (second_frames, seen[1])):
        assert not [frame for frame in frames[count:] if words in frame]
    for tab in (first, second):
        expect(_shows(tab, words)).to_have_count(0)
        assert "Dora Door" not in tab.content()
