"""The example checklist plugin (examples/checklist-widget): found through its entry
points like a built-in type, each reader's ticks are their own, and access is the
page's rule."""

from __future__ import annotations

import pytest
from portal_checklist import actions as checklist

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.services import search
from portal_app.widgets.form import actions as forms
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


def test_ticks_never_show_up_as_form_submissions(world):
    page = build_page(
        world.admin,
        "Mixed",
        [("checklist", STEPS), ("form", None)],
        organizations={world.northwind_id: "contribute"},
    )
    checklist.set_tick(world.ana, page.id, page.widget("checklist"), "Send your logo", True)
    assert forms.list_submissions(world.admin, page.id, page.widget("form")) == []
    with pytest.raises(Invalid):
        forms.list_submissions(world.admin, page.id, page.widget("checklist"))


def test_search_finds_checklist_items(world, onboarding):
    assert [h.title for h in search.search(world.ana, "contract") if h.kind == "page"] == [
        "Onboarding"
    ]
