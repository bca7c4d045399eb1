"""A page opened from the sidebar never shows the previous page's state as its own.

After a client-side navigation the new page renders before its on_load reaches the
server. It used to show its form at once (the previous page's "ready"), then remount
it when its own load began, wiping what the person had typed. The test holds the
server's answers back to make that window as long as it likes.
"""

from __future__ import annotations

import re
import threading

from playwright.sync_api import Browser, WebSocketRoute, expect

from tests.e2e.support import assert_accessible
from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in


class HeldSocket:
    """Forwards the event socket both ways; while ``hold`` is set, the server's frames
    wait until ``release()``."""

    def __init__(self) -> None:
        self.hold = False
        self.held: list[str | bytes] = []
        self.route: WebSocketRoute | None = None
        self.lock = threading.Lock()

    def __call__(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()
        self.route = route
        route.on_message(server.send)

        def to_page(message):
            with self.lock:
                if self.hold:
                    self.held.append(message)
                    return
            route.send(message)

        server.on_message(to_page)

    def release(self) -> None:
        with self.lock:
            self.hold = False
            waiting, self.held = self.held, []
        assert self.route is not None
        for message in waiting:
            self.route.send(message)


def test_a_new_page_shows_loading_until_its_own_state_arrives(
    browser: Browser, portal_server, admin_account
):
    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    socket = HeldSocket()
    page.route_web_socket(re.compile(r".*/_event.*"), socket)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    socket.hold = True
    page.locator("#new-page").click()
    page.wait_for_url(re.compile(r"/new-page/?$"))
    page.wait_for_timeout(800)
    # Home's "ready" is not the new page's: nothing to type into yet.
    expect(page.locator("#page-title-input")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Loading")).to_be_attached()

    socket.release()
    title = page.locator("#page-title-input")
    expect(title).to_be_visible(timeout=15_000)
    assert_accessible(page, "new page")
    title.fill("Typed while it loaded")
    page.locator("#create-page").click()
    expect(page.locator("#editor-title")).to_have_text("Typed while it loaded", timeout=15_000)
    context.close()
