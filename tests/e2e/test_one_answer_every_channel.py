"""Page, frames, e-mail and search decide readers through the same access answer.

On a page shared with two client organizations, each organization's client comments,
replies in a staff thread, @mentions someone of the other organization and submits a
form. Then, for every client, each channel is checked against the page's own rule:

- the page (``list_comments`` as that client) shows only their side and staff's;
- the frames their browser receives when they open the page and search contain
  nothing of the other side;
- the e-mail the real SMTP server received for them names nothing of the other side
  (delivered by the running portal's worker);
- search finds nothing of the other side.
"""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from portal_app.access import actor_for
from portal_app.db import session_scope
from portal_app.models import User
from portal_app.services import organizations, search, subscriptions
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.form import actions as forms
from tests.e2e.support import server_env
from tests.e2e.support_world import add_person, admin_actor
from tests.support.pages import build_page
from tests.support.wire import PortalTab

PASSWORD = "one answer every channel"  # noqa: S105
MARK = re.compile(r"\b(mk-(?:nw|gx|staff)-[a-z]+)\b")


def _actor(user_id: int):
    with session_scope() as session:
        return actor_for(session.get(User, user_id))


@pytest.fixture(scope="module")
def shared(portal_server, admin_account, smtp_server):
    with server_env(portal_server):
        admin = admin_actor()
        north = organizations.create_organization(admin, "Northmark Channels").id
        south = organizations.create_organization(admin, "Southmark Channels").id
        people = {
            "nora": add_person("nora@northmark.example", "Nora North", "limited", north, PASSWORD),
            "ned": add_person("ned@northmark.example", "Ned North", "limited", north, PASSWORD),
            "sue": add_person("sue@southmark.example", "Sue South", "limited", south, PASSWORD),
            "sol": add_person("sol@southmark.example", "Sol South", "limited", south, PASSWORD),
            "stan": add_person("stan@firm.example", "Stan Staff", "staff", None, PASSWORD),
        }
        actors = {key: _actor(uid) for key, uid in people.items()}
        page = build_page(
            admin,
            "Channel room",
            [("discussion", None), ("form", None)],
            organizations={north: "contribute", south: "contribute"},
        )
        for person in actors.values():
            subscriptions.set_subscribed(person, page.id, True)
        before = len(smtp_server.messages)
        wid, form = page.widget("discussion"), page.widget("form")
        root = discussion.post_comment(actors["stan"], page.id, wid, "mk-staff-thread")
        discussion.post_comment(actors["nora"], page.id, wid, "mk-nw-reply", parent_id=root.id)
        discussion.post_comment(actors["sue"], page.id, wid, "mk-gx-reply", parent_id=root.id)
        discussion.post_comment(actors["nora"], page.id, wid, "mk-nw-thread @Sue South")
        discussion.post_comment(actors["sue"], page.id, wid, "mk-gx-thread @ned@northmark.example")
        forms.submit_form(actors["nora"], page.id, form, {"message": "mk-nw-answer"})
        forms.submit_form(actors["sue"], page.id, form, {"message": "mk-gx-answer"})
        return {"page": page, "actors": actors, "mail_from": before}


def _wait_for_mail(smtp_server, start: int, quiet: float = 3.0, limit: float = 60.0) -> list:
    """Mail is delivered by the portal's worker after commit: wait until it stops."""
    deadline, count, stable_since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = len(smtp_server.messages)
        if now != count:
            count, stable_since = now, time.monotonic()
        elif now > start and time.monotonic() - stable_since >= quiet:
            break
        time.sleep(0.2)
    return smtp_server.messages[start:]


def _frames_of(url: str, email: str, paths: list[str]) -> str:
    async def visit() -> str:
        cookie = httpx.post(
            f"{url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=15
        ).cookies["portal_session"]
        tab = PortalTab(url)
        for path in paths:
            await tab.open(path, cookie)
        await tab.close()
        return tab.text()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, visit()).result(timeout=120)


def test_one_organizations_words_reach_no_one_of_the_other_by_any_channel(
    portal_server, shared, smtp_server
):
    page, actors = shared["page"], shared["actors"]
    mail = _wait_for_mail(smtp_server, shared["mail_from"])
    sides = {"nora": "gx", "ned": "gx", "sue": "nw", "sol": "nw"}
    for who, other in sides.items():
        actor = actors[who]
        # 1. The page itself.
        shown = "\n".join(
            f"{row.body} {' '.join(r.body for r in row.replies)}"
            for row in discussion.list_comments(actor, page.id, page.widget("discussion"))
        )
        own = "nw" if other == "gx" else "gx"
        assert f"mk-{own}-reply" in shown and "mk-staff-thread" in shown
        assert f"mk-{other}-" not in shown
        # 2. Frames: the page and a search, over the client's own socket.
        frames = _frames_of(portal_server.url, actor.email, [f"/pages/{page.slug}", "/search?q=mk"])
        assert f"mk-{own}-reply" in frames  # the page did load over the socket
        assert f"mk-{other}-" not in frames, f"{who}'s frames carried the other side"
        # Form answers are the submitter's and staff's only, not even a colleague's.
        submitter = who in ("nora", "sue")
        assert (f"mk-{own}-answer" in frames) == submitter, who
        # 3. E-mail.
        theirs = [m for m in mail if actor.email in m.to]
        marks = {mark for m in theirs for mark in MARK.findall(m.subject + "\n" + m.text)}
        assert marks, f"{who} follows the page but heard nothing"
        assert not [m for m in marks if f"-{other}-" in m], f"{who} was mailed {marks}"
        assert not [m for m in theirs if "submission" in m.subject.lower()]
        # 4. Search.
        hits = search.search(actor, "mk")
        assert not [h for h in hits if f"mk-{other}-" in h.snippet]
    # Staff heard of everything, both sides, and of both submissions.
    stan = [m for m in mail if "stan@firm.example" in m.to]
    heard = {mark for m in stan for mark in MARK.findall(m.text)}
    assert {"mk-nw-reply", "mk-gx-reply", "mk-nw-thread", "mk-gx-thread"} <= heard
    assert len([m for m in stan if "submission" in m.subject.lower()]) == 2
