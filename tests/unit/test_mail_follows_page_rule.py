"""Every e-mail about a page's content reaches only people the page shows it to.

A page shared with two client organizations shows each organization only its own
clients' comments (and staff's). Here both organizations' clients reply in a staff
thread, start threads, @mention someone of the other organization and submit a form;
then every message the real SMTP server received is checked against what the page
itself shows its recipient (``discussion.list_comments`` / ``forms.list_submissions``
as that person). The mail must also be complete: everyone who follows the page and
may read an item hears of it once.
"""

from __future__ import annotations

import re

import pytest

from portal_app.services import subscriptions
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.form import actions as forms
from tests.support.pages import build_page

MARK = re.compile(r"\b(mark-[a-z0-9-]+)\b")


@pytest.fixture
def shared_room(world):
    page = build_page(
        world.admin,
        "Shared project room",
        [("discussion", None), ("form", None)],
        organizations={world.northwind_id: "contribute", world.globex_id: "contribute"},
    )
    for person in (world.dana, world.ana, world.thomas, world.hank, world.mindy):
        subscriptions.set_subscribed(person, page.id, True)
    return page


def _visible_comment_text(actor, page) -> str:
    rows = discussion.list_comments(actor, page.id, page.widget("discussion"))
    return "\n".join(r.body + "\n" + "\n".join(x.body for x in r.replies) for r in rows)


def test_comments_replies_mentions_and_submissions_mail_only_their_readers(
    world, shared_room, smtp_inbox
):
    page, wid = shared_room, shared_room.widget("discussion")
    staff_thread = discussion.post_comment(world.dana, page.id, wid, "mark-staff-thread agenda")
    discussion.post_comment(world.ana, page.id, wid, "mark-nw-reply ok", parent_id=staff_thread.id)
    discussion.post_comment(world.hank, page.id, wid, "mark-gx-reply ok", parent_id=staff_thread.id)
    discussion.post_comment(world.ana, page.id, wid, "mark-nw-thread @Hank Scorpio see this")
    discussion.post_comment(world.hank, page.id, wid, "mark-gx-thread @Ana Trujillo look")
    # A mention by e-mail address, across organizations, inside a staff thread.
    discussion.post_comment(
        world.hank, page.id, wid, "mark-gx-mention @thomas@northwind.example", staff_thread.id
    )
    form_id = page.widget("form")
    forms.submit_form(world.ana, page.id, form_id, {"message": "Northwind's private answer"})
    forms.submit_form(world.hank, page.id, form_id, {"message": "Globex's private answer"})

    everyone = [world.admin, world.dana, world.sam, *world.northwind_clients, *world.globex_clients]
    by_address = {person.email: person for person in everyone}
    received: dict[str, set[str]] = {person.email: set() for person in everyone}
    for message in smtp_inbox.messages:
        recipient = by_address[message["To"]]
        text = message["Subject"] + "\n" + message.get_content()
        marks = set(MARK.findall(text))
        if "submission" in message["Subject"].lower() or "submitted" in text:
            # A submission's existence is only for staff and the submitter.
            assert recipient.user_id in {world.dana.user_id, world.admin.user_id}, text
            assert "private answer" not in text  # answers never travel by mail
            assert forms.list_submissions(recipient, page.id, form_id)
            received[recipient.email].add("submission")
            continue
        assert marks, f"a mail about the page named no comment: {text!r}"
        shown = _visible_comment_text(recipient, page)
        for mark in marks:
            assert mark in shown, f"{recipient.email} was mailed {mark}, which the page hides"
        received[recipient.email] |= marks

    # Nothing of one organization reached the other...
    assert not {m for m in received[world.hank.email] | received[world.mindy.email] if "nw" in m}
    assert not {m for m in received[world.ana.email] | received[world.thomas.email] if "gx" in m}
    # ...and everyone who follows the page heard of what they may read (not their own).
    assert received[world.thomas.email] >= {"mark-staff-thread", "mark-nw-reply", "mark-nw-thread"}
    assert received[world.mindy.email] >= {"mark-staff-thread", "mark-gx-reply", "mark-gx-thread"}
    assert received[world.dana.email] >= {
        "mark-nw-reply",
        "mark-gx-reply",
        "mark-nw-thread",
        "mark-gx-thread",
        "mark-gx-mention",
        "submission",
    }
    # The cross-organization mentions were not delivered to the people they named.
    assert "mark-nw-thread" not in received[world.hank.email]
    assert "mark-gx-mention" not in received[world.thomas.email]
