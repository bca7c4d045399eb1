"""Sharing with people outside: guest invitations, web and secured links, the Shared
list's filters and bulk actions (the attacks are in tests/security/test_share_links.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal_app.clock import utcnow
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import Share, User
from portal_app.services import files, pages, sessions, sharing
from portal_app.widgets.discussion import actions as discussion
from tests.support.pages import build_page

PDF = b"%PDF-1.7\n" + b"2" * 300
LINK = re.compile(r"/s/([A-Za-z0-9_\-]{43})")


@pytest.fixture
def room(world):
    return build_page(
        world.admin,
        "Northwind Ledger",
        [("discussion", None), ("attachments", None)],
        organizations={world.northwind_id: "contribute"},
    )


def guest_from_mail(smtp_inbox, address: str):
    """Open the last link mailed to ``address`` and return the guest it signs in."""
    found = LINK.search(smtp_inbox.to(address)[-1].get_content())
    assert found
    opened = sharing.open_link(found.group(1), ip="192.0.2.20")
    assert isinstance(opened, sharing.Opened) and opened.guest_token
    guest = sessions.resolve(opened.guest_token)
    assert guest is not None and guest.is_guest
    return found.group(1), guest


# --- inviting guests ----------------------------------------------------------------------


def test_addresses_are_read_as_people_type_them():
    assert sharing.parse_guest_addresses(
        "Gail Guest <gail@outside.example>, bob@outside.example\nGAIL@outside.example; "
    ) == [("Gail Guest", "gail@outside.example"), ("", "bob@outside.example")]
    for bad in ("", "   ", "not an address", None):
        with pytest.raises(Invalid) as refused:
            sharing.parse_guest_addresses(bad)
        assert refused.value.field == "guests"
    with pytest.raises(Invalid, match="at most"):
        sharing.parse_guest_addresses(", ".join(f"p{n}@outside.example" for n in range(51)))


def test_each_guest_gets_a_personal_link_to_one_page(world, room, smtp_inbox, database):
    count = sharing.invite_guests(
        world.dana,
        room.id,
        "Gail Guest <gail@outside.example>, bob@outside.example",
        message="The ledger for Q3, as promised.",
        contribute=True,
    )
    assert count == 2
    gail_mail = smtp_inbox.to("gail@outside.example")[-1]
    assert gail_mail["Subject"] == "Dana Whitfield shared “Northwind Ledger” with you"
    assert "The ledger for Q3, as promised." in gail_mail.get_content()
    gail_token, gail = guest_from_mail(smtp_inbox, "gail@outside.example")
    bob_token, bob = guest_from_mail(smtp_inbox, "bob@outside.example")
    assert gail_token != bob_token
    assert gail.display_name == "Gail Guest" and bob.display_name == "bob"
    assert gail.scope == bob.scope == ("page", room.id)
    assert pages.view_page(gail, room.slug).title == "Northwind Ledger"
    other = build_page(world.admin, "Globex Dossier", organizations={world.globex_id: "view"})
    with pytest.raises(NotFound):
        pages.view_page(gail, other.slug)
    (account,) = database.rows(User, User.email == "gail@outside.example")
    assert account.role == "guest" and account.password_hash is None


def test_a_guest_invitation_needs_a_published_page_staff_and_no_existing_account(world):
    draft = build_page(world.admin, "Draft", publish=False)
    with pytest.raises(Invalid, match="Publish the page"):
        sharing.invite_guests(world.dana, draft.id, "gail@outside.example")
    room = build_page(world.admin, "Room", organizations={world.northwind_id: "view"})
    with pytest.raises(Invalid, match="already has an account"):
        sharing.invite_guests(world.dana, room.id, "ana@northwind.example")
    with pytest.raises(Forbidden):
        sharing.invite_guests(world.ana, room.id, "gail@outside.example")


def test_inviting_someone_again_renews_their_one_share(world, room, smtp_inbox, database):
    sharing.invite_guests(world.dana, room.id, "gail@outside.example")
    first, guest = guest_from_mail(smtp_inbox, "gail@outside.example")
    sharing.invite_guests(world.dana, room.id, "Gail G <gail@outside.example>", contribute=True)
    assert len(database.rows(Share, Share.guest_email == "gail@outside.example")) == 1
    with pytest.raises(sharing.LinkUnavailable):
        sharing.open_link(first, ip="192.0.2.21")
    _, renewed = guest_from_mail(smtp_inbox, "gail@outside.example")
    assert renewed.share_contributes and renewed.display_name == "Gail G"


def test_what_a_guest_writes_is_read_by_staff_and_that_guest_only(world, room, smtp_inbox):
    sharing.invite_guests(
        world.dana, room.id, "gail@outside.example, bob@outside.example", contribute=True
    )
    _, gail = guest_from_mail(smtp_inbox, "gail@outside.example")
    _, bob = guest_from_mail(smtp_inbox, "bob@outside.example")
    widget = room.widget("discussion")
    discussion.post_comment(gail, room.id, widget, "A question from outside")
    discussion.post_comment(world.ana, room.id, widget, "Ana's internal remark")
    discussion.post_comment(world.dana, room.id, widget, "The firm's answer")

    def read(actor) -> list[str]:
        return [c.body for c in discussion.list_comments(actor, room.id, widget)]

    assert set(read(world.dana)) >= {"A question from outside", "Ana's internal remark"}
    assert set(read(gail)) == {"A question from outside", "The firm's answer"}
    assert set(read(bob)) == {"The firm's answer"}
    assert "A question from outside" not in read(world.ana)
    assert "A question from outside" not in read(world.thomas)


def test_a_view_only_guest_cannot_write(world, room, smtp_inbox):
    sharing.invite_guests(world.dana, room.id, "gail@outside.example")
    _, gail = guest_from_mail(smtp_inbox, "gail@outside.example")
    with pytest.raises((Forbidden, NotFound)):
        discussion.post_comment(gail, room.id, room.widget("discussion"), "Hello")
    with pytest.raises((Forbidden, NotFound)):
        files.save_upload(gail, room.id, room.widget("attachments"), "x.pdf", [PDF], "")


def test_the_sharer_hears_once_when_a_guest_first_opens(world, room, smtp_inbox):
    sharing.invite_guests(world.dana, room.id, "gail@outside.example")
    token = LINK.search(smtp_inbox.to("gail@outside.example")[-1].get_content()).group(1)
    for _ in range(3):
        sharing.open_link(token, ip="192.0.2.22")
    notices = [m for m in smtp_inbox.to("dana@firm.example") if "opened" in m["Subject"]]
    assert [m["Subject"] for m in notices] == ["gail@outside.example opened what you shared"]


def test_a_new_link_is_mailed_to_the_guest_and_the_old_one_stops(world, room, smtp_inbox):
    sharing.invite_guests(world.dana, room.id, "gail@outside.example")
    first, guest = guest_from_mail(smtp_inbox, "gail@outside.example")
    (row,) = sharing.list_shares(world.dana, {"kind": "guest"})
    sharing.regenerate_link(world.dana, row.id)
    assert smtp_inbox.to("gail@outside.example")[-1]["Subject"] == (
        "A new link from Dana Whitfield"
    )
    with pytest.raises(sharing.LinkUnavailable):
        sharing.open_link(first, ip="192.0.2.23")
    guest_from_mail(smtp_inbox, "gail@outside.example")


# --- links --------------------------------------------------------------------------------


def test_a_web_link_to_a_page_makes_the_browser_its_guest(world, room):
    link = sharing.create_link(world.dana, "web", "page", room.id)
    opened = sharing.open_link(link.url.rsplit("/", 1)[1], ip="192.0.2.30")
    assert isinstance(opened, sharing.Opened)
    assert opened.path == f"/pages/{room.slug}"
    guest = sessions.resolve(opened.guest_token)
    assert guest is not None and guest.is_guest and not guest.share_contributes


def test_a_document_link_opens_a_signed_download_of_that_document(world, room):
    document = files.save_upload(
        world.admin, room.id, room.widget("attachments"), "ledger.pdf", [PDF], ""
    )
    link = sharing.create_link(world.dana, "web", "file", document.id, download_limit=5)
    opened = sharing.open_link(link.url.rsplit("/", 1)[1], ip="192.0.2.31")
    assert isinstance(opened, sharing.Opened) and not opened.guest_token
    assert opened.path.startswith(f"/s/file/{link.share_id}/{document.id}/")
    with pytest.raises(Invalid, match="Only links to documents"):
        sharing.create_link(world.dana, "web", "page", room.id, download_limit=5)
    with pytest.raises(NotFound):
        sharing.create_link(world.dana, "web", "file", 999_999)


# --- the Shared list ------------------------------------------------------------------------


def test_the_list_filters_searches_and_acts_in_bulk(world, room, smtp_inbox):
    globex_room = build_page(world.admin, "Globex Dossier", organizations={world.globex_id: "view"})
    document = files.save_upload(
        world.admin, room.id, room.widget("attachments"), "quarterly-ledger.pdf", [PDF], ""
    )
    web = sharing.create_link(world.dana, "web", "page", room.id)
    secured = sharing.create_link(world.admin, "secured", "page", globex_room.id)
    doc = sharing.create_link(world.dana, "web", "file", document.id)
    sharing.invite_guests(world.dana, room.id, "gail@outside.example")

    def ids(**filters) -> set[int]:
        return {row.id for row in sharing.list_shares(world.admin, filters)}

    everything = ids()
    assert len(everything) == 4
    assert ids(kind="secured") == {secured.share_id}
    assert ids(organization_id=world.globex_id) == {secured.share_id}
    assert len(ids(organization_id=world.northwind_id)) == 3
    assert ids(query="QUARTERLY") == {doc.share_id}
    assert len(ids(query="gail@")) == 1
    assert ids(creator_id=world.admin.user_id) == {secured.share_id}
    assert ids(kind="nonsense") == everything, "an unknown filter value is no filter"

    assert sharing.set_status(world.dana, [web.share_id, doc.share_id], "deactivated") == 2
    assert ids(status="deactivated") == {web.share_id, doc.share_id}
    sharing.set_status(world.dana, [web.share_id], "active")
    expiry = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert sharing.set_expiry(world.admin, [secured.share_id, web.share_id], expiry) == 2
    row = next(r for r in sharing.list_shares(world.admin) if r.id == web.share_id)
    assert row.expires != "Never" and row.status == "active"
    sharing.set_status(world.admin, [secured.share_id], "removed")
    assert secured.share_id not in ids()
    with pytest.raises(Invalid):
        sharing.set_status(world.admin, [web.share_id], "exploded")
    with pytest.raises(Invalid):
        sharing.set_status(world.admin, [], "deactivated")

    organizations, creators = sharing.filter_choices(world.dana)
    assert {c.label for c in creators} == {"Dana Whitfield"}
    assert {"Northwind Traders"} <= {c.label for c in organizations}


def test_an_expired_share_is_listed_as_expired(world, room):
    expiry = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    link = sharing.create_link(world.dana, "web", "page", room.id, expires_at=expiry)
    from portal_app.db import session_scope

    with session_scope() as session:
        share = session.get(Share, link.share_id)
        assert share is not None
        share.expires_at = utcnow() - timedelta(minutes=1)
        session.add(share)
    (row,) = sharing.list_shares(world.dana, {"status": "expired"})
    assert (row.id, row.status_label) == (link.share_id, "Expired")
    assert sharing.list_shares(world.dana, {"status": "active"}) == []


def test_the_csv_lists_what_the_table_lists(world, room):
    sharing.create_link(world.dana, "web", "page", room.id, password="harbour lantern 42")
    header, line = sharing.export_csv(world.dana).splitlines()
    assert header.startswith("Kind,Item,Shared with,Created by")
    assert line.startswith("Web link,Northwind Ledger,Anyone with the link,Dana Whitfield")
    assert ",yes," in line


def test_expiry_as_typed_in_a_date_field_is_utc():
    moment = sharing.parse_expiry("2027-01-31T17:00")
    assert moment is not None and moment.utcoffset() == timedelta(0) and moment.hour == 17
    shifted = sharing.parse_expiry("2027-01-31T17:00+02:00")
    assert shifted is not None and shifted.hour == 15
    assert sharing.parse_expiry("") is None
    for bad in ("tomorrow", 12, "9" * 50):
        with pytest.raises(Invalid):
            sharing.parse_expiry(bad)


def test_staff_show_a_guests_comment_to_everyone_on_the_page(world, room, smtp_inbox):
    sharing.invite_guests(
        world.dana, room.id, "gail@outside.example, bob@outside.example", contribute=True
    )
    _, gail = guest_from_mail(smtp_inbox, "gail@outside.example")
    _, bob = guest_from_mail(smtp_inbox, "bob@outside.example")
    widget = room.widget("discussion")
    asked = discussion.post_comment(gail, room.id, widget, "Can the deadline move?")
    client_note = discussion.post_comment(world.ana, room.id, widget, "Ana's note")

    def read(actor) -> list[str]:
        return [c.body for c in discussion.list_comments(actor, room.id, widget)]

    (row,) = [c for c in discussion.list_comments(world.dana, room.id, widget) if c.by_guest]
    assert row.can_show and not row.shown_to_page
    assert "Can the deadline move?" not in read(world.ana) + read(bob)
    # Neither the guest, nor another guest, nor a client may decide it.
    for person in (gail, bob, world.ana):
        with pytest.raises((Forbidden, NotFound)):
            discussion.show_to_page(person, asked.id, True)
    with pytest.raises(Invalid):
        discussion.show_to_page(world.dana, client_note.id, True)
    with pytest.raises(Invalid):
        discussion.show_to_page(world.dana, asked.id, "yes")

    discussion.show_to_page(world.dana, asked.id, True)
    for reader in (world.ana, world.thomas, bob, gail):
        assert "Can the deadline move?" in read(reader)
    # A staff reply in the shown thread is read by the page's people too.
    discussion.post_comment(world.dana, room.id, widget, "Yes, to Friday.", asked.id)
    (thread,) = [
        c for c in discussion.list_comments(world.ana, room.id, widget) if c.id == asked.id
    ]
    assert [r.body for r in thread.replies] == ["Yes, to Friday."]
    assert not thread.can_show, "clients see no switch"

    discussion.show_to_page(world.admin, asked.id, False)
    assert "Can the deadline move?" not in read(world.ana) + read(bob)
    assert "Can the deadline move?" in read(gail)


def test_a_contributing_guest_answers_a_form_and_only_staff_and_they_read_it(world, smtp_inbox):
    from portal_app.widgets.form import actions as forms

    config = {"fields": [{"id": "note", "label": "Note"}]}
    room = build_page(
        world.admin,
        "Intake",
        [("form", config)],
        organizations={world.northwind_id: "contribute"},
    )
    sharing.invite_guests(world.dana, room.id, "gail@outside.example", contribute=True)
    _, gail = guest_from_mail(smtp_inbox, "gail@outside.example")
    sent = forms.submit_form(gail, room.id, room.widget("form"), {"note": "From outside"})
    assert sent.id
    # A client of the page lists only their own answers; staff and the guest see it.
    assert forms.list_submissions(world.ana, room.id, room.widget("form")) == []
    for reader in (world.dana, gail):
        rows = forms.list_submissions(reader, room.id, room.widget("form"))
        assert [r.id for r in rows] == [sent.id]
