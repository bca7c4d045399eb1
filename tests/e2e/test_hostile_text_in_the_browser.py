"""Hostile text as people see it: a page title, a comment, a person's name, a form
answer and a file name full of markup, event handlers and direction tricks, opened in
a real browser by a client of the organization it is shared with.

It must appear as the literal text it is: no dialog opens (``page.on("dialog")``), no
element it describes exists in the page (no ``<script>`` it brought, no ``onerror`` /
``onload`` / ``onmouseover`` attribute anywhere, no ``<img src=x>``, no ``<svg>`` from
it), the page reads left to right as typed, and axe finds no serious problem. Cases go
to the ledger (suite "hostile-input").
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from portal_app.access import actor_for
from portal_app.db import session_scope
from portal_app.models import User
from portal_app.services import files, people
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.form import actions as forms
from tests.e2e.support import assert_accessible, server_env
from tests.e2e.support_world import add_person, sign_in
from tests.support import ledger
from tests.support.pages import build_page
from tests.support.tenant_world import PASSWORD, build_tenant_world

SUITE = "hostile-input"
TITLE = '<img src=x onerror="alert(1)">Q3 \u202eexe.pdf'
COMMENT = '<script>alert(2)</script><svg onload=alert(3)><a href="javascript:alert(4)">x</a>'
NAME = "Tom <b onmouseover=alert(5)>Bold</b>"
ANSWER = "</style><style>body{display:none}</style>"
FILE_NAME = '<img src=x onerror="alert(6)">.pdf'
PDF = b"%PDF-1.7\n" + b"0" * 200


@pytest.fixture(scope="module")
def hostile(portal_server):
    with server_env(portal_server):
        world = build_tenant_world()
        admin, ana = world.actor("admin"), world.actor("ana")
        # A Northwind colleague of Ana's of our own (the tenant world's people are shared
        # by other suites): named with markup in it.
        tom_id = add_person(
            "tom.hostile@northwind-tenant.example",
            "Tom",
            "limited",
            world.organization_ids["northwind"],
            PASSWORD,
        )
        with session_scope() as session:
            tom = actor_for(session.get(User, tom_id))
        page = build_page(
            admin,
            TITLE,
            [
                ("discussion", None),
                ("form", {"fields": [{"id": "note", "label": "Note"}]}),
                ("attachments", None),
            ],
            organizations={world.organization_ids["northwind"]: "contribute"},
        )
        people.update_own_name(tom, NAME)
        discussion.post_comment(tom, page.id, page.widget("discussion"), COMMENT)
        forms.submit_form(ana, page.id, page.widget("form"), {"note": ANSWER})
        files.save_upload(admin, page.id, page.widget("attachments"), FILE_NAME, [PDF], "")
    return world, page


# Elements the hostile text would have made, had it become markup.
INJECTED = "[onerror], [onload], [onmouseover], img[src='x'], a[href^='javascript'], main script"


def test_hostile_text_shows_as_text_and_runs_nothing(browser: Browser, portal_server, hostile):
    world, built = hostile
    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, world.emails["ana"], PASSWORD)

    page.goto(f"/pages/{built.slug}")
    main = page.locator("main")
    # The title as typed, minus the direction override (stored without it).
    expect(main.get_by_text('<img src=x onerror="alert(1)">Q3 exe.pdf').first).to_be_visible(
        timeout=30_000
    )
    expect(main.get_by_text(COMMENT).first).to_be_visible()
    expect(main.get_by_text(NAME).first).to_be_visible()  # the comment's author
    expect(main.get_by_text(ANSWER).first).to_be_visible()  # Ana's own submission
    expect(main.get_by_text("_img src=x onerror=_alert(6)__.pdf").first).to_be_visible()
    page.wait_for_timeout(1000)
    # Nothing the text describes became an element of the page.
    injected = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
             .filter(el => el.closest('main') || el.matches('[onerror],[onload],[onmouseover]'))
             .map(el => el.outerHTML.slice(0, 120))""",
        INJECTED,
    )
    assert injected == []
    assert "\u202e" not in page.inner_text("main")
    # The page still shows (no injected style hid it).
    assert page.locator("body").is_visible()
    assert_accessible(page, "hostile page")

    page.goto("/people")
    expect(page.get_by_text(NAME).first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    assert page.locator("[onmouseover]").count() == 0
    assert_accessible(page, "directory with a hostile name")
    context.close()

    assert dialogs == [], f"a script ran: {dialogs}"
    for where in ("page title", "comment", "display name", "form answer", "file name"):
        ledger.record(SUITE, outcome=ledger.INERT, operation=f"browser: {where}", actor="ana")
