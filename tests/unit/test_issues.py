"""The issue tracker: who sees which issues and what of them, the waiting-on and
reopen rules, bulk changes, business-hours targets, validation, and the mail."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from portal_app import access
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import Issue, IssueEntry, OutboxMessage
from portal_app.services import issues
from portal_app.services.issues import ClientIssueRow, IssueRow, business_due

NOTE_TEXT = "Internal: their admin password is on a sticky note"


def report(actor, title="Printer on fire", **kwargs):
    return issues.report_issue(
        actor, title, kwargs.pop("description", "<p>It smokes.</p>"), **kwargs
    )


def mail_to(database, email):
    return [m for m in database.rows(OutboxMessage) if m.recipient == email]


def test_a_client_reports_and_staff_see_it_with_a_per_organization_number(world):
    first = report(world.ana)
    second = report(world.hank, "Globex laptop")
    assert first.number == "#1" and second.number == "#1"
    assert first.status == "New" and first.priority == "Normal" and first.staff is None
    staff_rows = issues.list_issues(world.dana)
    assert {r.title for r in staff_rows} == {"Printer on fire", "Globex laptop"}
    assert all(isinstance(r, IssueRow) for r in staff_rows)
    assert {r.waiting_on for r in staff_rows} == {"staff"}


def test_another_organizations_issue_is_the_same_not_found_as_a_missing_one(world):
    globex = report(world.hank, "Globex secret outage")
    messages = set()
    for issue_id in (globex.id, 2_000_000_000, "abc", -1, None):
        with pytest.raises(NotFound) as refused:
            issues.issue_detail(world.ana, issue_id)
        messages.add(str(refused.value))
    assert messages == {access.ISSUE_NOT_FOUND}
    for call in (
        lambda: issues.reply(world.ana, globex.id, "<p>me too</p>"),
        lambda: issues.close_own(world.ana, globex.id),
        lambda: issues.reopen(world.ana, globex.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert issues.list_issues(world.ana) == []
    with pytest.raises(NotFound):
        report(world.ana, organization_id=world.globex_id)


def test_the_organization_toggle_decides_whether_colleagues_see_each_others_issues(world):
    report(world.ana, "Ana's issue")
    report(world.thomas, "Thomas's issue")
    assert [r.title for r in issues.list_issues(world.thomas)] == ["Thomas's issue"]
    assert issues.issue_settings(world.thomas).clients_see_all is False
    with pytest.raises(Forbidden):
        issues.set_issue_settings(world.dana, world.northwind_id, True)
    issues.set_issue_settings(world.admin, world.northwind_id, True, 14)
    assert {r.title for r in issues.list_issues(world.thomas)} == {"Ana's issue", "Thomas's issue"}
    mine = issues.list_issues(world.thomas, {"scope": "mine"})
    assert [r.title for r in mine] == ["Thomas's issue"]
    # Globex never sees Northwind's, whatever Northwind allows.
    assert issues.list_issues(world.hank) == []


def test_internal_notes_never_reach_a_client_detail_list_or_mail(world, database):
    issue = report(world.ana)
    issues.assign(world.admin, issue.id, world.dana.user_id)
    issues.add_internal_note(world.dana, issue.id, f"<p>{NOTE_TEXT}</p>")
    issues.reply(world.dana, issue.id, "<p>Which floor is the printer on?</p>", ask_client=True)
    staff_view = issues.issue_detail(world.dana, issue.id)
    assert [e.kind for e in staff_view.entries] == ["event", "note", "reply"]
    client_view = issues.issue_detail(world.ana, issue.id)
    assert [e.kind for e in client_view.entries] == ["reply"]
    assert client_view.staff is None and client_view.waiting_on_you is True
    assert NOTE_TEXT not in repr(client_view)
    assert "Dana" not in repr([e for e in client_view.entries if e.kind != "reply"])
    [row] = issues.list_issues(world.ana)
    assert isinstance(row, ClientIssueRow) and row.waiting_on_you
    assert not {"assignee", "assignee_id", "waiting_on", "overdue"} & {
        f.name for f in fields(ClientIssueRow)
    }
    ana_mail = mail_to(database, world.ana.email)
    assert any("Which floor" in m.body for m in ana_mail)
    assert all(NOTE_TEXT not in m.body and NOTE_TEXT not in m.subject for m in ana_mail)
    assert all(NOTE_TEXT not in m.body for m in database.rows(OutboxMessage))
    with pytest.raises(Forbidden):
        issues.add_internal_note(world.ana, issue.id, "<p>sneaky</p>")


def test_waiting_on_and_first_response(world):
    issue = report(world.ana)
    assert issues.list_issues(world.dana, {"waiting": "us"})[0].id == issue.id
    issues.add_internal_note(world.dana, issue.id, "<p>looking</p>")
    assert database_issue(issue.id).first_response_at is None
    issues.reply(world.dana, issue.id, "<p>Is it plugged in?</p>", ask_client=True)
    stored = database_issue(issue.id)
    assert stored.waiting_on == "client" and stored.first_response_at is not None
    assert issues.list_issues(world.dana, {"waiting": "us"}) == []
    assert [r.id for r in issues.list_issues(world.dana, {"waiting": "client"})] == [issue.id]
    assert [r.id for r in issues.list_issues(world.ana, {"waiting": "client"})] == [issue.id]
    issues.reply(world.ana, issue.id, "<p>Yes it is.</p>")
    assert database_issue(issue.id).waiting_on == "staff"
    issues.reply(world.dana, issue.id, "<p>Thanks, on it.</p>")
    assert database_issue(issue.id).waiting_on == ""


def database_issue(issue_id):
    from portal_app.db import session_scope

    with session_scope() as session:
        found = session.get(Issue, issue_id)
        session.expunge(found)
        return found


def test_status_changes_are_history_and_mailed_to_the_client(world, database):
    issue = report(world.ana)
    issues.set_status(world.dana, issue.id, "resolved")
    client = issues.issue_detail(world.ana, issue.id)
    assert client.status == "Resolved" and client.can_reopen and client.can_close
    assert [e.change for e in client.entries] == ["Status: New → Resolved"]
    assert any("Resolved" in m.subject for m in mail_to(database, world.ana.email))
    with pytest.raises(Forbidden):
        issues.set_status(world.ana, issue.id, "closed")
    with pytest.raises(Invalid, match="Choose a status"):
        issues.set_status(world.dana, issue.id, "no-such-status")


def test_a_hidden_status_shows_its_client_label_and_mails_no_client(world, database):
    issues.save_option(
        world.admin,
        "status",
        {
            "key": "triage",
            "label": "Triage (internal)",
            "client_visible": False,
            "client_label": "New",
        },
    )
    issue = report(world.ana)
    before = len(mail_to(database, world.ana.email))
    issues.set_status(world.dana, issue.id, "triage")
    client = issues.issue_detail(world.ana, issue.id)
    assert client.status == "New" and client.entries == []
    assert "Triage" not in repr(issues.list_issues(world.ana))
    assert len(mail_to(database, world.ana.email)) == before
    assert issues.issue_detail(world.dana, issue.id).status == "Triage (internal)"


def test_a_client_closes_their_own_issue_and_reopens_within_the_window(world, database):
    issues.set_issue_settings(world.admin, world.northwind_id, True, 14)
    issue = report(world.ana)
    with pytest.raises(Forbidden):
        issues.close_own(world.thomas, issue.id)
    closed = issues.close_own(world.ana, issue.id)
    assert closed.closed and closed.can_reopen
    with pytest.raises(Invalid, match="Reopen it"):
        issues.reply(world.ana, issue.id, "<p>one more thing</p>")
    reopened = issues.reopen(world.ana, issue.id)
    assert reopened.status == "Open" and not reopened.closed
    issues.close_own(world.ana, issue.id)
    database.age(
        Issue, timedelta(days=15), "closed_at", "resolved_at", where=[Issue.id == issue.id]
    )
    with pytest.raises(Invalid, match="more than 14 days"):
        issues.reopen(world.ana, issue.id)
    assert issues.issue_detail(world.ana, issue.id).can_reopen is False


def test_bulk_status_and_assign_are_all_or_nothing(world):
    ids = [report(world.ana, f"Issue {n}").id for n in range(3)]
    globex = report(world.hank, "Globex one").id
    assert issues.bulk_assign(world.dana, ids, world.sam.user_id) == 3
    assert issues.bulk_assign(world.dana, ids, world.sam.user_id) == 0
    assert {
        r.assignee for r in issues.list_issues(world.dana, {"assignee": world.sam.user_id})
    } == {"Sam Okafor"}
    assert issues.bulk_set_status(world.dana, [*ids, globex], "open") == 4
    with pytest.raises(NotFound):
        issues.bulk_set_status(world.dana, [*ids, 2_000_000_000], "closed")
    assert {r.status for r in issues.list_issues(world.dana)} == {"Open"}
    with pytest.raises(Invalid, match="a staff member"):
        issues.bulk_assign(world.dana, ids, world.ana.user_id)
    with pytest.raises(Forbidden):
        issues.bulk_set_status(world.ana, ids, "closed")
    history = [e.kind for e in issues.issue_detail(world.dana, ids[0]).entries]
    assert history == ["event", "event"]
    # The assignment is staff business: the client's history shows the status only.
    assert [e.change for e in issues.issue_detail(world.ana, ids[0]).entries] == [
        "Status: New → Open"
    ]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_business_hours_skip_evenings_and_weekends():
    london = "Europe/London"
    # Friday 4 Dec 2026 16:00 (GMT): 1 hour left on Friday, 1 more on Monday.
    assert business_due(utc(2026, 12, 4, 16, 0), 2, london) == utc(2026, 12, 7, 10, 0)
    # Saturday: starts counting Monday 09:00.
    assert business_due(utc(2026, 12, 5, 12, 0), 4, london) == utc(2026, 12, 7, 13, 0)
    # An evening report: the next morning.
    assert business_due(utc(2026, 12, 1, 20, 0), 1, london) == utc(2026, 12, 2, 10, 0)
    # Before opening: from 09:00; a full 8-hour day ends at 17:00 the same day.
    assert business_due(utc(2026, 12, 1, 6, 0), 8, london) == utc(2026, 12, 1, 17, 0)
    # 40 hours = one working week.
    assert business_due(utc(2026, 12, 7, 9, 0), 40, london) == utc(2026, 12, 11, 17, 0)
    # Summer time: 09:00 in London is 08:00 UTC.
    assert business_due(utc(2026, 7, 1, 7, 0), 1, london) == utc(2026, 7, 1, 9, 0)
    assert business_due(utc(2026, 12, 1, 9, 0), 1, "America/New_York") == utc(2026, 12, 1, 15, 0)


def test_overdue_issues_are_flagged_for_staff_and_counted_on_the_dashboard(world, database):
    fresh = report(world.ana, "Fresh")
    old = report(world.ana, "Old", priority="urgent")
    database.age(Issue, timedelta(days=10), "created_at", where=[Issue.id == old.id])
    rows = {r.title: r for r in issues.list_issues(world.dana)}
    assert rows["Old"].overdue and not rows["Fresh"].overdue
    assert rows["Old"].age_days == 10
    [board] = issues.dashboard(world.dana)
    assert (board.organization_id, board.open, board.overdue, board.oldest_days) == (
        world.northwind_id,
        2,
        1,
        10,
    )
    issues.set_status(world.dana, fresh.id, "closed")
    assert issues.dashboard(world.dana)[0].open == 1
    with pytest.raises(Forbidden):
        issues.dashboard(world.ana)


def test_validation_errors_say_what_is_wrong(world):
    cases = [
        (lambda: issues.report_issue(world.ana, "   "), "title", "Enter a title."),
        (lambda: issues.report_issue(world.dana, "For whom?"), "organization", "Choose a client"),
        (lambda: issues.report_issue(world.ana, "x" * 201), "title", "at most 200"),
        (lambda: report(world.ana, category_id=2_000_000_000), "category", "category"),
        (lambda: report(world.ana, priority="extreme"), "priority", "priority"),
        (lambda: report(world.ana, fields={"999": "x"}), "fields", "no longer exists"),
        (lambda: issues.list_issues(world.dana, {"colour": "red"}), "filters", "Unknown filter"),
        (lambda: issues.list_issues(world.dana, {"waiting": "them"}), "waiting", "waiting on"),
    ]
    for call, field_name, words in cases:
        with pytest.raises(Invalid) as refused:
            call()
        assert refused.value.field == field_name and words in str(refused.value)
    issue = report(world.ana)
    with pytest.raises(Invalid, match="Write a reply"):
        issues.reply(world.ana, issue.id, "<p>  </p>")


def test_custom_fields_are_checked_and_internal_ones_stay_with_staff(world):
    plan = issues.save_option(
        world.admin,
        "field",
        {"label": "Plan", "field_type": "choice", "options": ["Basic", "Pro"], "required": True},
    )
    seats = issues.save_option(world.admin, "field", {"label": "Seats", "field_type": "number"})
    risk = issues.save_option(
        world.admin, "field", {"label": "Churn risk", "field_type": "text", "internal": True}
    )
    with pytest.raises(Forbidden):
        issues.save_option(world.dana, "field", {"label": "Nope"})
    assert [f.label for f in issues.issue_options(world.ana).fields] == ["Plan", "Seats"]
    with pytest.raises(Invalid, match="Fill in “Plan”"):
        report(world.ana, fields={})
    with pytest.raises(Invalid, match="from the list"):
        report(world.ana, fields={str(plan): "Gold"})
    with pytest.raises(Invalid, match="must be a number"):
        report(world.ana, fields={str(plan): "Pro", str(seats): "many"})
    with pytest.raises(Invalid, match="no longer exists"):
        report(world.ana, fields={str(plan): "Pro", str(risk): "low"})
    issue = report(world.ana, fields={str(plan): "Pro", str(seats): "12"})
    assert [(f.label, f.value) for f in issue.fields] == [("Plan", "Pro"), ("Seats", "12")]
    issues.set_fields(world.dana, issue.id, {str(risk): "High: unhappy with billing"})
    staff = issues.issue_detail(world.dana, issue.id)
    assert staff.staff is not None
    assert [f.value for f in staff.staff.internal_fields] == ["High: unhappy with billing"]
    client = issues.issue_detail(world.ana, issue.id)
    assert "unhappy with billing" not in repr(client) and "Churn" not in repr(client)


def test_script_in_rich_text_is_stripped(world):
    issue = report(
        world.ana,
        description='<p onclick="steal()">Hi<script>alert(1)</script></p>'
        "<img src=x onerror=alert(2)>",
    )
    assert "<script" not in issue.description_html and "onclick" not in issue.description_html
    assert "onerror" not in issue.description_html and "alert" not in issue.description_html
    entry = issues.reply(world.dana, issue.id, '<p>ok</p><a href="javascript:alert(1)">x</a>')
    assert "javascript" not in entry.body_html


def test_saved_views_are_each_staff_members_own(world):
    view = issues.save_view(
        world.dana, "Urgent for Northwind", {"priority": "urgent", "open": True}
    )
    assert [v.name for v in issues.list_saved_views(world.dana)] == ["Urgent for Northwind"]
    assert issues.list_saved_views(world.sam) == []
    with pytest.raises(NotFound):
        issues.delete_saved_view(world.sam, view.id)
    with pytest.raises(NotFound):
        issues.update_view(world.sam, view.id, "Taken", {})
    with pytest.raises(Forbidden):
        issues.save_view(world.ana, "Mine", {})
    renamed = issues.update_view(world.dana, view.id, "Urgent NW", {"priority": "urgent"})
    assert renamed.id == view.id and renamed.filters == {"priority": "urgent"}
    issues.delete_saved_view(world.dana, view.id)
    assert issues.list_saved_views(world.dana) == []


def test_search_sort_and_filters(world):
    report(world.ana, "VPN drops at night", priority="low")
    report(world.ana, "Invoice 100% wrong", priority="urgent")
    assert [r.title for r in issues.list_issues(world.dana, {"q": "vpn night"})] == [
        "VPN drops at night"
    ]
    assert [r.title for r in issues.list_issues(world.dana, {"q": "100%"})] == [
        "Invoice 100% wrong"
    ]
    assert [r.title for r in issues.list_issues(world.dana, {"sort": "-priority"})][0] == (
        "Invoice 100% wrong"
    )
    assert [r.title for r in issues.list_issues(world.dana, {"priority": "low"})] == [
        "VPN drops at night"
    ]
    assert len(issues.list_issues(world.dana, {"organization": world.globex_id})) == 0


def test_config_options_in_use_are_kept(world):
    report(world.ana)
    options = issues.issue_options(world.dana)
    new = next(s for s in options.statuses if s.key == "new")
    with pytest.raises(Invalid, match="Some issues use"):
        issues.delete_option(world.admin, "status", new.id)
    spare = issues.save_option(world.admin, "category", {"name": "Spare"})
    with pytest.raises(Invalid, match="already a category"):
        issues.save_option(world.admin, "category", {"name": "spare"})
    issues.delete_option(world.admin, "category", spare)
    with pytest.raises(NotFound):
        issues.delete_option(world.admin, "category", spare)
    assert issues.issue_options(world.ana).statuses == []


def test_no_entry_rows_for_a_client_from_the_database_query(world, database):
    issue = report(world.ana)
    issues.add_internal_note(world.dana, issue.id, f"<p>{NOTE_TEXT}</p>")
    assert len(database.rows(IssueEntry, IssueEntry.issue_id == issue.id)) == 1
    assert issues.issue_detail(world.ana, issue.id).entries == []


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"0" * 200


def attach(actor, issue_id, name="screenshot.pdf"):
    from portal_app.services import uploads
    from portal_app.storage import get_storage

    destination = {"kind": "issue", "issue": issue_id}
    uploads.plan(actor, destination, name, len(PDF))
    blob = get_storage().save(iter([PDF]), max_bytes=10**9)
    return uploads.accept(actor, destination, name, blob, "application/pdf")


def test_attachments_belong_to_the_issue_and_follow_its_access(world):
    from portal_app.services import files

    issue = report(world.ana)
    added = attach(world.ana, issue.id)
    staff_file = attach(world.dana, issue.id, "answer.pdf")
    detail = issues.issue_detail(world.ana, issue.id)
    assert [a.name for a in detail.attachments] == ["screenshot.pdf", "answer.pdf"]
    for reader in (world.ana, world.dana):
        file, _ = files.open_for_download(reader, added["file"]["id"])
        assert file.filename == "screenshot.pdf"
    for outsider in (world.hank, world.thomas):
        with pytest.raises(NotFound):
            files.open_for_download(outsider, staff_file["file"]["id"])
        with pytest.raises(NotFound):
            attach(outsider, issue.id)
    issues.close_own(world.ana, issue.id)
    with pytest.raises(Invalid, match="closed"):
        attach(world.ana, issue.id)


def test_a_guest_sees_only_the_issue_their_link_scopes_and_only_follows_it(world):
    from dataclasses import replace

    issue = report(world.ana)
    other = report(world.ana, "Another one")
    issues.add_internal_note(world.dana, issue.id, f"<p>{NOTE_TEXT}</p>")
    guest = replace(
        world.ana, user_id=world.ana.user_id, role=access.GUEST, scope=("issue", issue.id)
    )
    assert [r.id for r in issues.list_issues(guest)] == [issue.id]
    detail = issues.issue_detail(guest, issue.id)
    assert detail.staff is None and NOTE_TEXT not in repr(detail) and not detail.can_reply
    with pytest.raises(NotFound):
        issues.issue_detail(guest, other.id)
    with pytest.raises(Forbidden):
        issues.reply(guest, issue.id, "<p>hello</p>")
    unscoped = replace(guest, scope=("page", issue.id))
    assert issues.list_issues(unscoped) == []
