"""Form widgets: every value checked on the server, submissions private to their
submitter and staff, statuses, and a formula-safe CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import FormSubmission
from portal_app.services import files, grants, subscriptions
from portal_app.widgets.form import actions as forms
from tests.support.pages import build_page
from tests.unit.expect import refuses_all

APPLICATION = {
    "title": "Change request",
    "fields": [
        {"id": "summary", "label": "Summary", "kind": "text", "required": True, "max_length": 80},
        {"id": "details", "label": "Details", "kind": "long_text"},
        {"id": "budget", "label": "Budget", "kind": "number"},
        {"id": "contact", "label": "Contact e-mail", "kind": "email"},
        {"id": "due", "label": "Due date", "kind": "date"},
        {"id": "priority", "label": "Priority", "kind": "select", "options": ["Low", "High"]},
        {"id": "agree", "label": "I agree to the terms", "kind": "checkbox", "required": True},
        {"id": "spec", "label": "Specification", "kind": "file"},
    ],
    "statuses": ["New", "In progress", "Done"],
}
VALID = {"summary": "New logo", "agree": True}


@pytest.fixture
def form_page(world):
    return build_page(
        world.admin,
        "Requests",
        [("form", APPLICATION)],
        organizations={world.northwind_id: "contribute", world.globex_id: "contribute"},
    )


def submit(actor, page, **values):
    return forms.submit_form(actor, page.id, page.widget("form"), {**VALID, **values})


def test_a_valid_submission_is_stored_clean_with_the_first_status(world, form_page):
    row = submit(
        world.ana,
        form_page,
        summary="  New   logo ",
        details="Line one\r\nLine two",
        budget="1,250.50",
        contact="ana@northwind.example",
        due="2026-03-31",
        priority="High",
        agree="on",
    )
    assert row.status == "New" and row.mine and row.submitter == "Ana Trujillo"
    shown = {v.field_id: v.text for v in row.values}
    assert shown == {
        "summary": "New logo",
        "details": "Line one\nLine two",
        "budget": "1250.5",
        "contact": "ana@northwind.example",
        "due": "2026-03-31",
        "priority": "High",
        "agree": "Yes",
        "spec": "",
    }
    assert submit(world.ana, form_page, budget=7).values[2].text == "7"


@pytest.mark.parametrize(
    ("field", "bad_values"),
    [
        ("summary", [None, "", "   ", "x" * 81, 5, ["New"], {"a": 1}]),
        ("budget", ["abc", "1e400", "nan", "inf", "0x10", "1 2", True, [1], "1" * 50, 10**400]),
        (
            "contact",
            [
                "ana",
                "ana@",
                "@northwind.example",
                "a b@c.d",
                "ana@northwind",
                5,
                "x" * 250 + "@a.bc",
            ],
        ),
        (
            "due",
            [
                "31/03/2026",
                "2026-02-30",
                "20260331",
                "2026-3-1",
                "tomorrow",
                20260331,
                "2026-03-31T00:00",
            ],
        ),
        ("priority", ["Medium", "low", 1, ["High"], True]),
        ("agree", [False, "", None, "no", "yes", 2, "false"]),
        ("spec", [12345, "abc", -1, [1], True]),
    ],
)
def test_each_field_type_is_checked_on_the_server(world, form_page, field, bad_values):
    def attempt(value):
        submit(world.ana, form_page, **{field: value})

    refuses_all(Invalid, attempt, bad_values)
    try:
        attempt(bad_values[0])
    except Invalid as exc:
        assert exc.field == field
    assert forms.list_submissions(world.admin, form_page.id, form_page.widget("form")) == []


def test_required_fields_and_unknown_keys(world, form_page):
    wid = form_page.widget("form")
    with pytest.raises(Invalid, match="Summary: this field is required"):
        forms.submit_form(world.ana, form_page.id, wid, {"agree": True})
    with pytest.raises(Invalid, match="must be ticked"):
        forms.submit_form(world.ana, form_page.id, wid, {"summary": "x"})
    refuses_all(
        Invalid,
        lambda values: forms.submit_form(world.ana, form_page.id, wid, values),
        [
            {**VALID, "is_admin": True},
            {**VALID, "status": "Done"},
            {**VALID, 1: "x"},
            ["summary", "x"],
            None,
            "summary=x",
        ],
    )


def test_the_whole_submission_is_size_capped(world):
    many = {
        "fields": [
            {"id": f"f{i}", "label": f"Answer {i}", "kind": "long_text", "max_length": 20000}
            for i in range(10)
        ]
    }
    page = build_page(
        world.admin, "Essay", [("form", many)], organizations={world.northwind_id: "contribute"}
    )
    values = {f"f{i}": "x" * 20000 for i in range(10)}
    with pytest.raises(Invalid, match="too long"):
        forms.submit_form(world.ana, page.id, page.widget("form"), values)
    forms.submit_form(world.ana, page.id, page.widget("form"), {"f0": "x" * 20000})


def test_submitting_needs_contribute_on_a_visible_page(world):
    page = build_page(
        world.admin, "Survey", [("form", None)], organizations={world.northwind_id: "view"}
    )
    with pytest.raises(Forbidden):
        forms.submit_form(world.ana, page.id, page.widget("form"), {"message": "Hi"})
    with pytest.raises(NotFound):
        forms.submit_form(world.hank, page.id, page.widget("form"), {"message": "Hi"})
    with pytest.raises(Invalid):
        forms.submit_form(world.dana, page.id, "w000000000000", {"message": "Hi"})


def test_a_client_sees_only_their_own_submissions(world, form_page):
    wid = form_page.widget("form")
    submit(world.ana, form_page, summary="Ana's request")
    submit(world.thomas, form_page, summary="Thomas's request")
    submit(world.hank, form_page, summary="Hank's request")

    def summaries(actor, **filters):
        return [
            row.values[0].text
            for row in forms.list_submissions(actor, form_page.id, wid, **filters)
        ]

    assert summaries(world.ana) == ["Ana's request"]
    assert summaries(world.thomas) == ["Thomas's request"]
    assert summaries(world.hank) == ["Hank's request"]
    assert summaries(world.mindy) == []
    assert sorted(summaries(world.dana)) == ["Ana's request", "Hank's request", "Thomas's request"]
    # Filters never widen a client's view.
    assert summaries(world.ana, search="Thomas") == []
    assert summaries(world.ana, search="request") == ["Ana's request"]
    assert summaries(world.dana, search="hank") == ["Hank's request"]
    assert summaries(world.dana, search="%") == []
    assert summaries(world.dana, status="Done") == []


def test_staff_change_statuses_within_the_forms_list(world, form_page, database):
    row = submit(world.ana, form_page)
    with pytest.raises(Forbidden):
        forms.set_submission_status(world.ana, row.id, "Done")
    refuses_all(
        Invalid,
        lambda status: forms.set_submission_status(world.dana, row.id, status),
        ["Approved", "", None, "done", ["Done"]],
    )
    refuses_all(
        NotFound,
        lambda sid: forms.set_submission_status(world.dana, sid, "Done"),
        [99999, 0, "x", None],
    )
    forms.set_submission_status(world.dana, row.id, "Done")
    assert (
        forms.list_submissions(world.ana, form_page.id, form_page.widget("form"))[0].status
        == "Done"
    )
    assert database.rows(FormSubmission)[0].status == "Done"
    # Restricted away from a page, a staff member can't touch its submissions.
    grants.set_permissions(world.admin, form_page.id, "restricted", [world.dana.user_id], [])
    with pytest.raises(NotFound):
        forms.set_submission_status(world.sam, row.id, "New")


def test_csv_export_is_staff_only_and_formula_safe(world, form_page):
    submit(
        world.ana,
        form_page,
        summary='=HYPERLINK("http://evil.example","x")',
        details="+1",
        priority="High",
    )
    submit(
        world.thomas,
        form_page,
        summary="@SUM(A1)",
        details="-2",
        contact="thomas@northwind.example",
    )
    submit(world.hank, form_page, summary="\tTabbed", budget="3")
    with pytest.raises(Forbidden):
        forms.export_csv(world.ana, form_page.id, form_page.widget("form"))
    text = forms.export_csv(world.dana, form_page.id, form_page.widget("form"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Submitted", "Name", "E-mail", "Status", "Summary"]
    assert [r[1] for r in rows[1:]] == ["Ana Trujillo", "Thomas Hardy", "Hank Scorpio"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t")]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'-2" in cells and "'+1" in cells and "'@SUM(A1)" in cells


def test_file_fields_take_only_the_submitters_own_upload_to_this_form(world, form_page):
    wid = form_page.widget("form")
    anas = files.save_upload(
        world.ana, form_page.id, wid, "spec.pdf", [b"%PDF-1.7\n" + b"x" * 50], "application/pdf"
    )
    thomas = files.save_upload(
        world.thomas, form_page.id, wid, "his.pdf", [b"%PDF-1.7\n" + b"y" * 50], "application/pdf"
    )
    other = build_page(
        world.admin,
        "Other form",
        [("form", APPLICATION)],
        organizations={world.northwind_id: "contribute"},
    )
    elsewhere = files.save_upload(
        world.ana,
        other.id,
        other.widget("form"),
        "other.pdf",
        [b"%PDF-1.7\n" + b"z" * 50],
        "application/pdf",
    )
    refuses_all(
        Invalid, lambda fid: submit(world.ana, form_page, spec=fid), [thomas.id, elsewhere.id]
    )
    row = submit(world.ana, form_page, spec=anas.id)
    [value] = [v for v in row.values if v.field_id == "spec"]
    assert value.text == "spec.pdf" and value.file_url == f"/files/{anas.id}"
    files.delete_file(world.ana, anas.id)
    with pytest.raises(Invalid):
        submit(world.ana, form_page, spec=anas.id)


def test_new_submissions_are_told_to_staff_followers_only(world, form_page, smtp_inbox):
    for who in (world.dana, world.thomas, world.hank):
        subscriptions.set_subscribed(who, form_page.id, True)
    submit(world.ana, form_page, summary="Private matter")
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "admin@firm.example",
        "dana@firm.example",
    ]
    assert "Private matter" not in smtp_inbox.messages[0].get_content()
