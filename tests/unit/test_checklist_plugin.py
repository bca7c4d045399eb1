"""The example checklist plugin (examples/checklist-widget): found through its entry
points like a built-in type, each reader's ticks are their own, and access is the
page's rule."""

from __future__ import annotations

import pytest
from portal_checklist import actions as checklist

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.services import search
from portal_app.widgets.registry import get_type
from tests.support.pages import build_page

STEPS = {"title": "Onboarding", "items": ["Sign the contract", "Send your logo"]}


@pytest.fixture
def onboarding(world):
    return build_page(
        world.admin,
        "Onboarding",
        [("checklist", STEPS)],
        organizations={world.northwind_id: "contribute"},
    )


def test_the_plugin_is_a_type_like_the_built_ins():
    checklist_type = get_type("checklist")
    assert checklist_type.accepts_contributions
    assert not checklist_type.contributor_uploads and not checklist_type.staff_uploads
    assert [f.kind for f in checklist_type.editor_fields()] == ["text", "list"]


def test_each_reader_ticks_for_themself(world, onboarding):
    wid = onboarding.widget("checklist")
    assert checklist.my_ticks(world.ana, onboarding.id, wid) == []
    assert checklist.set_tick(world.ana, onboarding.id, wid, "Send your logo", True) == [
        "Send your logo"
    ]
    checklist.set_tick(world.ana, onboarding.id, wid, "Sign the contract", True)
    checklist.set_tick(world.ana, onboarding.id, wid, "Send your logo", False)
    assert checklist.my_ticks(world.ana, onboarding.id, wid) == ["Sign the contract"]
    # A colleague and staff have their own (empty) ticks.
    assert checklist.my_ticks(world.thomas, onboarding.id, wid) == []
    assert checklist.my_ticks(world.dana, onboarding.id, wid) == []


def test_another_organization_cannot_read_or_tick(world, onboarding):
    wid = onboarding.widget("checklist")
    checklist.set_tick(world.ana, onboarding.id, wid, "Send your logo", True)
    with pytest.raises(NotFound):
        checklist.my_ticks(world.hank, onboarding.id, wid)
    with pytest.raises(NotFound):
        checklist.set_tick(world.hank, onboarding.id, wid, "Send your logo", True)


def test_view_only_readers_cannot_tick(world):
    page = build_page(
        world.admin, "Read only", [("checklist", STEPS)], organizations={world.globex_id: "view"}
    )
    assert checklist.my_ticks(world.hank, page.id, page.widget("checklist")) == []
    with pytest.raises(Forbidden):
        checklist.set_tick(world.hank, page.id, page.widget("checklist"), "Send your logo", True)


@pytest.mark.parametrize(
    ("item", "ticked"),
    [("Not on the list", True), (["Send your logo"], True), ("Send your logo", "yes")],
)
def test_forged_ticks_are_refused(world, onboarding, item, ticked):
    with pytest.raises(Invalid):
        checklist.set_tick(world.ana, onboarding.id, onboarding.widget("checklist"), item, ticked)


def test_ticks_are_each_readers_own_widget_entry(world, onboarding, database):
    from portal_app.models import WidgetEntry
    from portal_app.services import widget_entries

    wid = onboarding.widget("checklist")
    checklist.set_tick(world.ana, onboarding.id, wid, "Send your logo", True)
    checklist.set_tick(world.thomas, onboarding.id, wid, "Sign the contract", True)
    rows = database.rows(WidgetEntry)
    assert sorted((r.person_id, r.data) for r in rows) == sorted(
        [(world.ana.user_id, '["Send your logo"]'), (world.thomas.user_id, '["Sign the contract"]')]
    )
    # The store itself: own data only, JSON containers only, bounded, the page's rule.
    assert widget_entries.own_entry(world.dana, onboarding.id, wid, "checklist") is None
    for bad in ("text", 3, None, {"x": "y" * 70_000}):
        with pytest.raises(Invalid):
            widget_entries.save_own_entry(world.ana, onboarding.id, wid, "checklist", bad)
    with pytest.raises(Invalid):  # another type's widget id
        widget_entries.own_entry(world.ana, onboarding.id, wid, "form")
    with pytest.raises(NotFound):
        widget_entries.save_own_entry(world.hank, onboarding.id, wid, "checklist", [])


def test_search_finds_checklist_items(world, onboarding):
    assert [h.title for h in search.search(world.ana, "contract") if h.kind == "page"] == [
        "Onboarding"
    ]
