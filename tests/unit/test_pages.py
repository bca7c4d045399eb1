"""Pages: drafts, publishing, history, the checked editor operations, and who sees what.

The product's promise: a page shared with one client organization never shows to
another, not even its title in someone's navigation.
"""

from __future__ import annotations

import pytest

from portal_app.errors import Conflict, Forbidden, Invalid, NotFound
from portal_app.models import AuditEvent, Page
from portal_app.services import drafts, grants, layouts, pages, subscriptions
from portal_app.widgets.discussion import actions as discussion
from tests.support.pages import add_widget, build_page, first_column, revision
from tests.unit.expect import refuses_all


def nav_titles(actor) -> set[str]:
    return {row.title for row in pages.list_navigation(actor)}


def widget_ids(view) -> list[str]:
    return [w.id for section in view.sections for column in section.columns for w in column.widgets]


def edit(editor, page_id, operation, **arguments):
    return drafts.edit_draft(editor, page_id, revision(editor, page_id), operation, arguments)


# --- creating, editing, publishing ------------------------------------------------------


def test_a_new_page_is_an_unpublished_draft_only_staff_see(world):
    draft = pages.create_page(world.dana, "Client onboarding")
    assert draft.slug == "client-onboarding"
    assert draft.published_version == 0 and draft.has_unpublished_changes
    assert "Client onboarding" in nav_titles(world.sam)
    assert "Client onboarding" not in nav_titles(world.ana)
    with pytest.raises(NotFound):
        pages.view_page(world.ana, draft.slug)


def test_clients_cannot_create_or_edit_pages(world):
    page = build_page(world.admin, "Welcome", organizations={world.northwind_id: "contribute"})
    with pytest.raises(Forbidden):
        pages.create_page(world.ana, "Mine now")
    for call in (
        lambda: drafts.get_draft(world.ana, page.id),
        lambda: drafts.edit_draft(world.ana, page.id, 1, "add_section", {}),
        lambda: drafts.publish(world.ana, page.id, 1),
        lambda: grants.set_permissions(world.ana, page.id, "all", [], []),
        lambda: drafts.list_versions(world.ana, page.id),
        lambda: pages.archive_page(world.ana, page.id),
    ):
        with pytest.raises(NotFound):
            call()


def test_slugs_are_unique_and_never_reserved(world):
    assert pages.create_page(world.admin, "Settings").slug == "settings-2"
    assert pages.create_page(world.admin, "Report").slug == "report"
    assert pages.create_page(world.admin, "Report").slug == "report-2"
    assert pages.create_page(world.admin, "Ünïcödé ✓").slug == "unicode"
    refuses_all(
        Invalid, lambda title: pages.create_page(world.admin, title), ["", "  ", None, 5, "x" * 201]
    )


def test_publishing_shows_the_draft_to_granted_clients(world):
    page = build_page(
        world.admin,
        "Project plan",
        [("heading", None), ("rich_text", {"html": "<p>Milestones</p>"})],
        organizations={world.northwind_id: "view"},
    )
    view = pages.view_page(world.ana, page.slug)
    assert view.version == 1 and [w.type for w in view.sections[0].columns[0].widgets] == [
        "heading",
        "rich_text",
    ]
    assert not view.can_edit and not view.can_contribute
    # A later draft change stays invisible until published.
    add_widget(world.admin, page.id, "discussion")
    assert len(widget_ids(pages.view_page(world.ana, page.slug))) == 2
    assert drafts.get_draft(world.admin, page.id).has_unpublished_changes
    drafts.publish(world.admin, page.id, revision(world.admin, page.id))
    assert len(widget_ids(pages.view_page(world.ana, page.slug))) == 3


def test_restoring_a_version_brings_back_its_title_widgets_and_their_comments(world):
    page = build_page(
        world.admin,
        "Kick-off",
        [("discussion", None), ("rich_text", {"html": "<p>First agenda</p>"})],
        organizations={world.northwind_id: "contribute"},
    )
    talk = page.widget("discussion")
    discussion.post_comment(world.ana, page.id, talk, "Looking forward to it")
    edit(world.admin, page.id, "delete_widget", widget_id=talk)
    pages.update_page_settings(
        world.admin, page.id, revision(world.admin, page.id), "Kick-off (moved)", page.slug, "star"
    )
    assert drafts.publish(world.admin, page.id, revision(world.admin, page.id)) == 2
    assert talk not in widget_ids(pages.view_page(world.ana, page.slug))
    with pytest.raises(Invalid):
        discussion.list_comments(world.ana, page.id, talk)

    versions = drafts.list_versions(world.admin, page.id)
    assert [(v.number, v.live) for v in versions] == [(2, True), (1, False)]
    assert versions[0].author == "Avery Admin"

    draft = drafts.restore_version(world.admin, page.id, 1, revision(world.admin, page.id))
    assert draft.title == "Kick-off"
    assert talk in widget_ids(draft)
    drafts.publish(world.admin, page.id, draft.revision)
    view = pages.view_page(world.ana, page.slug)
    assert view.title == "Kick-off" and talk in widget_ids(view)
    rich = next(w for w in view.sections[0].columns[0].widgets if w.type == "rich_text")
    assert rich.config["html"] == "<p>First agenda</p>"
    assert [c.body for c in discussion.list_comments(world.ana, page.id, talk)] == [
        "Looking forward to it"
    ]
    assert [v.number for v in drafts.list_versions(world.admin, page.id)] == [3, 2, 1]


def test_restoring_a_version_that_does_not_exist_is_not_found(world):
    page = build_page(world.admin, "History")
    rev = revision(world.admin, page.id)
    refuses_all(
        NotFound,
        lambda number: drafts.restore_version(world.admin, page.id, number, rev),
        [0, 2, -1, "1", True, None, 1.0, 10**30],
    )


def test_an_edit_based_on_an_older_revision_is_a_conflict(world):
    page = build_page(world.admin, "Shared plan")
    seen = revision(world.admin, page.id)  # both editors open the page at this revision
    drafts.edit_draft(world.dana, page.id, seen, "add_section", {"columns": 2})
    with pytest.raises(Conflict):
        drafts.edit_draft(world.sam, page.id, seen, "add_section", {"columns": 1})
    with pytest.raises(Conflict):
        drafts.publish(world.sam, page.id, seen)
    with pytest.raises(Conflict):
        drafts.restore_version(world.sam, page.id, 1, seen)
    with pytest.raises(Conflict):
        pages.update_page_settings(world.sam, page.id, seen, "Mine", "mine", "star")
    draft = drafts.get_draft(world.sam, page.id)
    assert draft.revision == seen + 1 and len(draft.sections) == 2
    # Reloading gives the current revision, and the edit goes through.
    drafts.edit_draft(world.sam, page.id, draft.revision, "add_section", {"columns": 1})
    assert len(drafts.get_draft(world.dana, page.id).sections) == 3


def test_moving_reordering_duplicating_and_undoing_a_delete(world):
    page = build_page(world.admin, "Layout", [("heading", None), ("rich_text", None)])
    draft = drafts.get_draft(world.admin, page.id)
    heading, text = widget_ids(draft)
    section = edit(world.admin, page.id, "add_section", columns=3)
    target = section.sections[-1].columns[2].id
    moved = edit(world.admin, page.id, "move_widget", widget_id=heading, column=target, index=0)
    assert moved.sections[-1].columns[2].widgets[0].id == heading
    copy = edit(world.admin, page.id, "duplicate_widget", widget_id=text)
    assert copy.touched_widget not in (heading, text)
    deleted = edit(world.admin, page.id, "delete_widget", widget_id=heading)
    assert heading not in widget_ids(deleted)
    undone = edit(world.admin, page.id, "restore_widget", snapshot=deleted.undo)
    assert undone.sections[-1].columns[2].widgets[0].id == heading
    fewer = edit(
        world.admin, page.id, "set_section_columns", section_id=undone.sections[-1].id, columns=1
    )
    assert heading in [w.id for w in fewer.sections[-1].columns[0].widgets]


# --- forged editor operations ------------------------------------------------------------


def test_forged_operations_are_refused_and_change_nothing(world):
    page = build_page(world.admin, "Target", [("rich_text", None)])
    other = build_page(world.admin, "Other page", [("rich_text", None), ("discussion", None)])
    foreign = other.widget("rich_text")
    before = drafts.get_draft(world.admin, page.id)
    column = first_column(world.admin, page.id)
    section_id = before.sections[0].id

    def attempt(op_and_args):
        operation, arguments = op_and_args
        drafts.edit_draft(
            world.admin, page.id, revision(world.admin, page.id), operation, arguments
        )

    refuses_all(
        Invalid,
        attempt,
        [
            # unknown operations and unreadable arguments
            ("drop_table", {}),
            ("__class__", {}),
            ("apply", {"operation": "add_section", "arguments": {}}),
            (None, {}),
            (["add_section"], {}),
            ("add_section", None),
            ("add_section", ["columns", 1]),
            ("add_section", {"columns": 1, "evil": True}),
            # unknown widget types
            ("add_widget", {"type_name": "script", "column": column, "index": 0}),
            ("add_widget", {"type_name": "", "column": column, "index": 0}),
            ("add_widget", {"type_name": None, "column": column, "index": 0}),
            ("add_widget", {"type_name": ["rich_text"], "column": column, "index": 0}),
            ("add_widget", {"type_name": "Rich_Text", "column": column, "index": 0}),
            # another page's widget and malformed widget ids
            ("move_widget", {"widget_id": foreign, "column": column, "index": 0}),
            ("update_widget", {"widget_id": foreign, "config": {"html": "<p>x</p>"}}),
            ("delete_widget", {"widget_id": foreign}),
            ("duplicate_widget", {"widget_id": foreign}),
            ("delete_widget", {"widget_id": None}),
            ("delete_widget", {"widget_id": 123}),
            ("delete_widget", {"widget_id": ["w0"]}),
            ("delete_widget", {"widget_id": {"$ne": ""}}),
            ("delete_widget", {"widget_id": "w" * 5000}),
            ("delete_widget", {"widget_id": "../../etc/passwd"}),
            # bad columns and sections
            ("add_widget", {"type_name": "heading", "column": "nope", "index": 0}),
            ("add_widget", {"type_name": "heading", "column": "s000000000000:0", "index": 0}),
            ("add_widget", {"type_name": "heading", "column": f"{section_id}:3", "index": 0}),
            ("add_widget", {"type_name": "heading", "column": f"{section_id}:-1", "index": 0}),
            ("add_widget", {"type_name": "heading", "column": f"{section_id}:²", "index": 0}),
            (
                "add_widget",
                {"type_name": "heading", "column": f"{section_id}:" + "9" * 5000, "index": 0},
            ),
            ("add_widget", {"type_name": "heading", "column": None, "index": 0}),
            ("add_widget", {"type_name": "heading", "column": 0, "index": 0}),
            ("remove_section", {"section_id": "s000000000000"}),
            ("move_section", {"section_id": None, "index": 0}),
            ("set_section_columns", {"section_id": section_id, "columns": 4}),
            ("set_section_columns", {"section_id": section_id, "columns": True}),
            ("add_section", {"columns": 0}),
            # positions that aren't whole numbers
            ("add_widget", {"type_name": "heading", "column": column, "index": "0"}),
            ("add_widget", {"type_name": "heading", "column": column, "index": 1.5}),
            ("add_widget", {"type_name": "heading", "column": column, "index": True}),
            ("add_widget", {"type_name": "heading", "column": column, "index": None}),
            # configs a widget type refuses
            ("update_widget", {"widget_id": widget_ids(before)[0], "config": {"html": 5}}),
            ("update_widget", {"widget_id": widget_ids(before)[0], "config": {"onload": "x"}}),
            ("update_widget", {"widget_id": widget_ids(before)[0], "config": "<p>x</p>"}),
            # undo snapshots that aren't
            ("restore_widget", {"snapshot": {"id": "x", "type": "heading", "config": {}}}),
            (
                "restore_widget",
                {"snapshot": {"id": widget_ids(before)[0], "type": "heading", "config": {}}},
            ),
            (
                "restore_widget",
                {"snapshot": {"id": "w000000000000", "type": "bogus", "config": {}}},
            ),
            ("restore_widget", {"snapshot": "undo"}),
        ],
    )
    after = drafts.get_draft(world.admin, page.id)
    assert after.revision == before.revision
    assert after.sections == before.sections
    assert widget_ids(drafts.get_draft(world.admin, other.id)) == [
        other.widget("rich_text"),
        other.widget("discussion"),
    ]


def test_huge_and_negative_positions_are_clamped(world):
    page = build_page(world.admin, "Positions", [("heading", None), ("heading", None)])
    column = first_column(world.admin, page.id)
    last = edit(
        world.admin, page.id, "add_widget", type_name="divider", column=column, index=10**30
    )
    assert last.sections[0].columns[0].widgets[-1].id == last.touched_widget
    first = edit(
        world.admin, page.id, "add_widget", type_name="divider", column=column, index=-(10**30)
    )
    assert first.sections[0].columns[0].widgets[0].id == first.touched_widget


def test_a_restored_snapshot_using_another_pages_widget_id_never_shows_its_comments(world):
    other = build_page(world.admin, "Private talk", [("discussion", None)])
    secret = other.widget("discussion")
    discussion.post_comment(world.admin, other.id, secret, "Salary figures")
    page = build_page(world.admin, "Open page", organizations={world.northwind_id: "contribute"})
    forged = {"id": secret, "type": "discussion", "config": {}, "column": "", "index": 0}
    edit(world.admin, page.id, "restore_widget", snapshot=forged)
    drafts.publish(world.admin, page.id, revision(world.admin, page.id))
    assert discussion.list_comments(world.ana, page.id, secret) == []
    assert discussion.list_comments(world.admin, page.id, secret) == []


def test_a_page_holds_a_bounded_number_of_sections(world):
    page = build_page(world.admin, "Long page")
    for _ in range(layouts.MAX_SECTIONS - 1):
        edit(world.admin, page.id, "add_section", columns=1)
    with pytest.raises(Invalid):
        edit(world.admin, page.id, "add_section", columns=1)


# --- who sees what ---------------------------------------------------------------------------


def test_a_client_of_another_organization_never_sees_the_page(world):
    page = build_page(world.admin, "Northwind pricing", organizations={world.northwind_id: "view"})
    assert pages.view_page(world.ana, page.slug).title == "Northwind pricing"
    for outsider in world.globex_clients:
        with pytest.raises(NotFound):
            pages.view_page(outsider, page.slug)
        assert "Northwind pricing" not in nav_titles(outsider)
        with pytest.raises(NotFound):
            subscriptions.set_subscribed(outsider, page.id, True)


def test_navigation_never_shows_a_hidden_parents_title(world):
    parent = build_page(
        world.admin, "Northwind confidential", organizations={world.northwind_id: "view"}
    )
    build_page(
        world.admin,
        "Shared FAQ",
        organizations={world.northwind_id: "view", world.globex_id: "view"},
        parent_id=parent.id,
    )
    ana_nav = [(row.title, row.depth) for row in pages.list_navigation(world.ana)]
    assert ana_nav == [("Northwind confidential", 0), ("Shared FAQ", 1)]
    hank_nav = [(row.title, row.depth) for row in pages.list_navigation(world.hank)]
    assert hank_nav == [("Shared FAQ", 0)]


def test_unpublished_and_deleted_pages_stay_hidden_from_clients(world, database):
    draft_only = build_page(
        world.admin, "Coming soon", organizations={world.northwind_id: "view"}, publish=False
    )
    with pytest.raises(NotFound):
        pages.view_page(world.ana, draft_only.slug)
    gone = build_page(world.admin, "Old page", organizations={world.northwind_id: "view"})
    pages.archive_page(world.admin, gone.id)
    for who in (world.ana, world.admin):
        with pytest.raises(NotFound):
            pages.view_page(who, gone.slug)
    assert "Old page" not in nav_titles(world.admin)
    assert database.rows(AuditEvent, AuditEvent.action == "page_deleted")


def test_forged_slugs_and_ids_are_not_found(world):
    page = build_page(world.admin, "Real", organizations={world.northwind_id: "view"})
    refuses_all(
        NotFound,
        lambda slug: pages.view_page(world.ana, slug),
        ["", None, 5, "REAL", "real/../settings", "real' OR '1'='1", page.slug + " ", ["real"]],
    )
    refuses_all(
        NotFound,
        lambda page_id: drafts.get_draft(world.admin, page_id),
        [0, -1, "1 OR 1=1", None, True, 10**30, [], {}, "01", 99999],
    )


def test_restricted_staff_access(world):
    page = build_page(world.admin, "Board minutes")
    grants.set_permissions(world.admin, page.id, "restricted", [world.dana.user_id], [])
    assert drafts.get_draft(world.dana, page.id).title == "Board minutes"
    assert pages.view_page(world.admin, page.slug)
    with pytest.raises(NotFound):
        pages.view_page(world.sam, page.slug)
    with pytest.raises(NotFound):
        drafts.get_draft(world.sam, page.id)
    assert "Board minutes" not in nav_titles(world.sam)
    # A staff member who restricts a page keeps access to it themself.
    own = build_page(world.sam, "Sam's drafts")
    grants.set_permissions(world.sam, own.id, "restricted", [], [])
    assert grants.get_permissions(world.sam, own.id).staff_ids == [world.sam.user_id]
    with pytest.raises(NotFound):
        pages.view_page(world.dana, own.slug)


def test_view_and_contribute_grants(world):
    page = build_page(
        world.admin,
        "Feedback",
        [("discussion", None)],
        organizations={world.northwind_id: "view"},
        people={world.thomas.user_id: "contribute"},
    )
    talk = page.widget("discussion")
    assert not pages.view_page(world.ana, page.slug).can_contribute
    assert pages.view_page(world.thomas, page.slug).can_contribute
    assert pages.view_page(world.dana, page.slug).can_contribute
    with pytest.raises(Forbidden):
        discussion.post_comment(world.ana, page.id, talk, "Can I?")
    discussion.post_comment(world.thomas, page.id, talk, "I can.")
    granted = grants.get_permissions(world.admin, page.id).grants
    assert {(g.kind, g.name, g.level) for g in granted} == {
        ("organization", "Northwind Traders", "view"),
        ("person", "Thomas Hardy", "contribute"),
    }


def test_permissions_refuse_what_makes_no_sense(world):
    page = build_page(world.admin, "Grants")

    def grant(wanted):
        grants.set_permissions(world.admin, page.id, "all", [], wanted)

    refuses_all(
        Invalid,
        grant,
        [
            [{"kind": "organization", "id": world.northwind_id, "level": "admin"}],
            [{"kind": "person", "id": world.dana.user_id, "level": "view"}],
            [{"kind": "group", "id": 1, "level": "view"}],
            ["northwind"],
            "all",
        ],
    )
    refuses_all(
        Invalid,
        lambda access: grants.set_permissions(world.admin, page.id, access, [], []),
        ["everyone", None, "", True],
    )
    with pytest.raises(Invalid):
        grants.set_permissions(world.admin, page.id, "restricted", [world.ana.user_id], [])


# --- home pages and preview --------------------------------------------------------------------


def test_home_page_and_organization_home(world):
    home = build_page(world.admin, "Welcome")
    northwind_home = build_page(world.admin, "Welcome, Northwind")
    assert pages.home_slug(world.ana) == ""
    with pytest.raises(Forbidden):
        pages.set_home(world.dana, home.id)
    pages.set_home(world.admin, home.id)
    pages.set_home(world.admin, northwind_home.id, world.northwind_id)
    assert pages.home_slug(world.ana) == northwind_home.slug
    assert pages.home_slug(world.hank) == home.slug
    assert pages.view_page(world.hank, home.slug).is_home
    with pytest.raises(NotFound):
        pages.view_page(world.hank, northwind_home.slug)
    assert "Welcome, Northwind" not in nav_titles(world.hank)
    with pytest.raises(Invalid):
        pages.archive_page(world.admin, home.id)
    # Moving the home page leaves exactly one.
    other = build_page(world.admin, "New welcome")
    pages.set_home(world.admin, other.id)
    assert pages.home_slug(world.hank) == other.slug
    assert [p.slug for p in pages.list_navigation(world.hank)] == [other.slug]


def test_publishing_notifies_only_subscribers_who_can_still_see_the_page(world, smtp_inbox):
    page = build_page(world.admin, "Quarterly report", organizations={world.northwind_id: "view"})
    subscriptions.set_subscribers(
        world.admin,
        page.id,
        [
            world.admin.user_id,
            world.ana.user_id,
            world.thomas.user_id,
            world.hank.user_id,
            world.dana.user_id,
        ],
    )
    smtp_inbox.messages.clear()
    drafts.publish(world.admin, page.id, revision(world.admin, page.id))
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "ana@northwind.example",
        "dana@firm.example",
        "thomas@northwind.example",
    ]
    message = smtp_inbox.to("ana@northwind.example")[0]
    assert "Quarterly report" in message["Subject"]
    assert f"/pages/{page.slug}" in message.get_content()

    # Northwind loses access: the next publish tells staff only.
    grants.set_permissions(world.admin, page.id, "all", [], [])
    smtp_inbox.messages.clear()
    drafts.publish(world.admin, page.id, revision(world.admin, page.id))
    assert [m["To"] for m in smtp_inbox.messages] == ["dana@firm.example"]


def test_people_subscribe_and_unsubscribe_themselves(world):
    page = build_page(world.admin, "News", organizations={world.northwind_id: "view"})
    subscriptions.set_subscribed(world.ana, page.id, True)
    assert pages.view_page(world.ana, page.slug).subscribed
    assert world.ana.user_id in subscriptions.list_subscribers(world.admin, page.id)
    subscriptions.set_subscribed(world.ana, page.id, False)
    assert not pages.view_page(world.ana, page.slug).subscribed
    with pytest.raises(Invalid):
        subscriptions.set_subscribed(world.ana, page.id, "yes")


def test_page_rows_keep_their_draft_revision_history(world, database):
    page = build_page(world.admin, "Counted", [("heading", None)])
    [row] = database.rows(Page, Page.id == page.id)
    assert row.draft_revision == revision(world.admin, page.id)
    assert row.published_version == 1
