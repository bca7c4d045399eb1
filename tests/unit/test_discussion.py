"""Discussion widgets: threads, replies, edits, deletions, notifications and @mentions.

A page may be shared with two client organizations at once; what one organization's
people write there must never reach the other.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import AuditEvent, WidgetComment
from portal_app.services import grants, subscriptions
from portal_app.widgets.discussion import actions as discussion
from tests.support.pages import build_page, revision
from tests.unit.expect import refuses_all


@pytest.fixture
def talk(world):
    """A page with a discussion, shared with both client organizations to contribute,
    followed by Dana (staff), Ana (Northwind) and Hank (Globex)."""
    page = build_page(
        world.admin,
        "Project room",
        [("discussion", None)],
        organizations={world.northwind_id: "contribute", world.globex_id: "contribute"},
    )
    for who in (world.dana, world.ana, world.hank):
        subscriptions.set_subscribed(who, page.id, True)
    return page


def bodies(rows) -> list[str]:
    return [row.body for row in rows]


def thread_view(actor, page) -> list[tuple[str, list[str]]]:
    return [
        (row.body, bodies(row.replies))
        for row in discussion.list_comments(actor, page.id, page.widget("discussion"))
    ]


def test_comments_and_replies_form_threads(world, talk):
    wid = talk.widget("discussion")
    first = discussion.post_comment(world.dana, talk.id, wid, "Welcome to the project room")
    assert first.author == "Dana Whitfield" and first.initials == "DW" and first.mine
    discussion.post_comment(world.ana, talk.id, wid, "Thanks!", parent_id=first.id)
    second = discussion.post_comment(world.dana, talk.id, wid, "Agenda is up")
    rows = discussion.list_comments(world.ana, talk.id, wid)
    assert [(r.body, bodies(r.replies)) for r in rows] == [
        ("Welcome to the project room", ["Thanks!"]),
        ("Agenda is up", []),
    ]
    reply = rows[0].replies[0]
    assert reply.mine and reply.can_edit and reply.can_delete and reply.time == "just now"
    assert not rows[0].mine and not rows[0].can_delete
    assert second.id != first.id


def test_a_reply_to_a_reply_joins_the_same_thread(world, talk):
    wid = talk.widget("discussion")
    root = discussion.post_comment(world.dana, talk.id, wid, "Question for everyone")
    reply = discussion.post_comment(world.ana, talk.id, wid, "Answer", parent_id=root.id)
    discussion.post_comment(world.dana, talk.id, wid, "Follow-up", parent_id=reply.id)
    assert thread_view(world.dana, talk) == [("Question for everyone", ["Answer", "Follow-up"])]


def test_replies_follow_the_widget_setting(world):
    page = build_page(
        world.admin,
        "Announcements",
        [("discussion", {"title": "Notes", "allow_replies": False})],
        organizations={world.northwind_id: "contribute"},
    )
    wid = page.widget("discussion")
    root = discussion.post_comment(world.dana, page.id, wid, "No replies here")
    with pytest.raises(Invalid, match="Replies are turned off"):
        discussion.post_comment(world.ana, page.id, wid, "But…", parent_id=root.id)


def test_a_reply_must_be_to_a_comment_on_the_same_widget(world, talk):
    other = build_page(
        world.admin,
        "Elsewhere",
        [("discussion", None)],
        organizations={world.northwind_id: "contribute"},
    )
    elsewhere = discussion.post_comment(
        world.dana, other.id, other.widget("discussion"), "Other thread"
    )
    hidden = build_page(world.admin, "Staff only", [("discussion", None)])
    secret = discussion.post_comment(world.dana, hidden.id, hidden.widget("discussion"), "Secret")
    wid = talk.widget("discussion")
    refuses_all(
        Invalid,
        lambda parent: discussion.post_comment(world.ana, talk.id, wid, "Reply", parent_id=parent),
        [elsewhere.id, secret.id, 99999, -1, "abc", [1], {"id": 1}],
    )
    assert thread_view(world.dana, talk) == []


def test_comment_bodies_are_checked_and_kept_as_plain_text(world, talk):
    wid = talk.widget("discussion")
    refuses_all(
        Invalid,
        lambda body: discussion.post_comment(world.ana, talk.id, wid, body),
        ["", "   \n\t ", None, 5, ["hi"], {"body": "hi"}, "x" * 5001, "\x00\x01"],
    )
    assert discussion.post_comment(world.ana, talk.id, wid, "x" * 5000).body == "x" * 5000
    row = discussion.post_comment(world.ana, talk.id, wid, "  <b>bold</b>\r\nnext\u202eline\x07  ")
    # Markup is kept as text (the view escapes it); control and direction characters go.
    assert row.body == "<b>bold</b>\nnextline"


def test_posting_needs_contribute_and_the_widget_on_the_live_page(world):
    page = build_page(
        world.admin,
        "View only",
        [("discussion", None), ("form", None)],
        organizations={world.northwind_id: "view"},
    )
    wid = page.widget("discussion")
    with pytest.raises(Forbidden):
        discussion.post_comment(world.ana, page.id, wid, "Let me in")
    assert discussion.list_comments(world.ana, page.id, wid) == []
    with pytest.raises(NotFound):
        discussion.post_comment(world.hank, page.id, wid, "Hello?")
    with pytest.raises(NotFound):
        discussion.list_comments(world.hank, page.id, wid)
    # Not a discussion, not on this page, or only in the draft: refused.
    refuses_all(
        Invalid,
        lambda widget: discussion.post_comment(world.dana, page.id, widget, "Hi"),
        [page.widget("form"), "w000000000000", None, ["w"], {"w": 1}, 5],
    )
    from tests.support.pages import add_widget

    draft_only = add_widget(world.admin, page.id, "discussion")
    grants.set_permissions(
        world.admin,
        page.id,
        "all",
        [],
        [{"kind": "organization", "id": world.northwind_id, "level": "contribute"}],
    )
    with pytest.raises(Invalid):
        discussion.post_comment(world.ana, page.id, draft_only, "Too early")
    # Staff work on draft widgets before they go live.
    discussion.post_comment(world.dana, page.id, draft_only, "Prepared note")


def test_people_edit_only_their_own_comments(world, talk):
    wid = talk.widget("discussion")
    mine = discussion.post_comment(world.ana, talk.id, wid, "Frist")
    discussion.edit_comment(world.ana, mine.id, "First")
    [row] = discussion.list_comments(world.ana, talk.id, wid)
    assert row.body == "First" and row.edited
    for other in (world.thomas, world.dana, world.admin):
        with pytest.raises(Forbidden):
            discussion.edit_comment(other, mine.id, "Hijacked")
    with pytest.raises(NotFound):
        discussion.edit_comment(world.hank, mine.id, "Hijacked")
    with pytest.raises(Invalid):
        discussion.edit_comment(world.ana, mine.id, "")
    # Without contribute any more, no edits.
    grants.set_permissions(
        world.admin,
        talk.id,
        "all",
        [],
        [{"kind": "organization", "id": world.northwind_id, "level": "view"}],
    )
    with pytest.raises(Forbidden):
        discussion.edit_comment(world.ana, mine.id, "Edited later")


def test_deleting_is_own_only_except_for_staff_and_is_audited(world, talk, database):
    wid = talk.widget("discussion")
    anas = discussion.post_comment(world.ana, talk.id, wid, "Mine")
    thomas = discussion.post_comment(world.thomas, talk.id, wid, "Thomas here")
    with pytest.raises(Forbidden):
        discussion.delete_comment(world.ana, thomas.id)
    with pytest.raises(NotFound):
        discussion.delete_comment(world.hank, thomas.id)
    discussion.delete_comment(world.ana, anas.id)
    discussion.delete_comment(world.dana, thomas.id)
    assert thread_view(world.admin, talk) == []
    with pytest.raises(NotFound):
        discussion.delete_comment(world.ana, anas.id)
    # Soft delete: the rows stay, marked.
    rows = database.rows(WidgetComment)
    assert all(row.deleted_at is not None for row in rows)
    events = database.rows(AuditEvent, AuditEvent.action == "comment_deleted")
    assert {(e.actor_id, e.target_id) for e in events} == {
        (world.ana.user_id, anas.id),
        (world.dana.user_id, thomas.id),
    }


def test_a_deleted_comment_shows_only_while_it_has_replies(world, talk):
    wid = talk.widget("discussion")
    root = discussion.post_comment(world.ana, talk.id, wid, "Original question")
    reply = discussion.post_comment(world.dana, talk.id, wid, "An answer", parent_id=root.id)
    discussion.delete_comment(world.ana, root.id)
    [row] = discussion.list_comments(world.thomas, talk.id, wid)
    assert row.deleted and row.body == "Comment deleted" and row.author == ""
    assert not row.can_delete and not row.can_edit
    assert bodies(row.replies) == ["An answer"]
    with pytest.raises(Invalid):
        discussion.post_comment(world.thomas, talk.id, wid, "Late reply", parent_id=root.id)
    discussion.delete_comment(world.dana, reply.id)
    assert discussion.list_comments(world.thomas, talk.id, wid) == []


def test_time_text():
    from portal_app.clock import utcnow

    now = utcnow()
    assert discussion.time_text(now - timedelta(seconds=5), now) == "just now"
    assert discussion.time_text(now - timedelta(minutes=1), now) == "1 minute ago"
    assert discussion.time_text(now - timedelta(minutes=12), now) == "12 minutes ago"
    assert discussion.time_text(now - timedelta(hours=3), now) == "3 hours ago"
    assert discussion.time_text(now - timedelta(hours=30), now) == "yesterday"
    assert discussion.time_text(now - timedelta(days=40), now) == (
        now - timedelta(days=40)
    ).strftime("%d %b %Y")


# --- two organizations on one page ------------------------------------------------------


def test_clients_read_only_their_organizations_and_staff_threads(world, talk):
    wid = talk.widget("discussion")
    staff = discussion.post_comment(world.dana, talk.id, wid, "Staff announcement")
    discussion.post_comment(world.ana, talk.id, wid, "Northwind question", parent_id=staff.id)
    discussion.post_comment(world.hank, talk.id, wid, "Globex question", parent_id=staff.id)
    northwind_thread = discussion.post_comment(world.thomas, talk.id, wid, "Northwind budget")
    discussion.post_comment(
        world.dana, talk.id, wid, "Budget answer", parent_id=northwind_thread.id
    )
    discussion.post_comment(world.mindy, talk.id, wid, "Globex budget")

    assert thread_view(world.ana, talk) == [
        ("Staff announcement", ["Northwind question"]),
        ("Northwind budget", ["Budget answer"]),
    ]
    assert thread_view(world.hank, talk) == [
        ("Staff announcement", ["Globex question"]),
        ("Globex budget", []),
    ]
    assert len(thread_view(world.sam, talk)) == 3
    # Nor can a client reply into, edit or delete another organization's thread.
    with pytest.raises(Invalid):
        discussion.post_comment(world.hank, talk.id, wid, "Peek", parent_id=northwind_thread.id)
    with pytest.raises(NotFound):
        discussion.delete_comment(world.hank, northwind_thread.id)


def test_subscribers_hear_of_comments_they_may_read(world, talk, smtp_inbox):
    wid = talk.widget("discussion")
    discussion.post_comment(world.ana, talk.id, wid, "Northwind-only detail")
    told = sorted(m["To"] for m in smtp_inbox.messages)
    # The page creator (admin) and Dana are staff; Hank (Globex) follows the page too
    # but must not read a Northwind comment. Ana wrote it.
    assert told == ["admin@firm.example", "dana@firm.example"]
    message = smtp_inbox.to("dana@firm.example")[0]
    assert "Northwind-only detail" in message.get_content()
    assert f"/pages/{talk.slug}" in message.get_content()

    smtp_inbox.messages.clear()
    discussion.post_comment(world.dana, talk.id, wid, "For everyone")
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "admin@firm.example",
        "ana@northwind.example",
        "hank@globex.example",
    ]


def test_mentions_reach_people_who_can_see_the_page_and_the_comment(world, talk, smtp_inbox):
    wid = talk.widget("discussion")
    private = build_page(world.admin, "Staff room", [("discussion", None)])
    for who in (world.admin, world.dana, world.ana, world.hank):
        subscriptions.set_subscribed(who, talk.id, False)
    discussion.post_comment(
        world.ana,
        talk.id,
        wid,
        "@Thomas Hardy and @sam@firm.example, see this. "
        "Also @Hank Scorpio and @mindy@globex.example.",
    )
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "sam@firm.example",
        "thomas@northwind.example",
    ]
    assert "mentioned you" in smtp_inbox.to("thomas@northwind.example")[0]["Subject"]

    smtp_inbox.messages.clear()
    discussion.post_comment(
        world.dana, private.id, private.widget("discussion"), "Ask @Ana Trujillo"
    )
    # Ana can't see the staff room: only its follower (the admin who made it) hears.
    assert [m["To"] for m in smtp_inbox.messages] == ["admin@firm.example"]


def test_mentioned_people_get_one_message_not_two(world, talk, smtp_inbox):
    wid = talk.widget("discussion")
    discussion.post_comment(world.ana, talk.id, wid, "Ping @Dana Whitfield.")
    dana = smtp_inbox.to("dana@firm.example")
    assert len(dana) == 1 and "mentioned you" in dana[0]["Subject"]


def test_revoked_followers_hear_nothing(world, talk, smtp_inbox):
    grants.set_permissions(
        world.admin,
        talk.id,
        "all",
        [],
        [{"kind": "organization", "id": world.globex_id, "level": "contribute"}],
    )
    discussion.post_comment(world.dana, talk.id, talk.widget("discussion"), "After the change")
    assert "ana@northwind.example" not in [m["To"] for m in smtp_inbox.messages]
    assert "hank@globex.example" in [m["To"] for m in smtp_inbox.messages]
    assert revision(world.admin, talk.id) >= 1
