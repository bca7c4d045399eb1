"""The isolation suites' world is what it says it is: each person sees their own
organization's things and not the other's."""

from __future__ import annotations

import pytest

from portal_app.errors import NotFound
from portal_app.services import files, pages
from portal_app.widgets.discussion import actions as discussion
from tests.support.tenant_world import build_tenant_world


@pytest.fixture
def tenant(portal_db):
    return build_tenant_world()


def test_each_client_reaches_only_their_own_room(tenant):
    ana, hank = tenant.actor("ana"), tenant.actor("hank")
    nw, gx = tenant.pages["northwind_room"], tenant.pages["globex_room"]
    assert pages.view_page(ana, nw.slug).title == "Northwind Quarterly Ledger"
    with pytest.raises(NotFound):
        pages.view_page(ana, gx.slug)
    with pytest.raises(NotFound):
        files.open_for_download(hank, tenant.files["northwind"])
    shared = tenant.pages["shared"]
    texts = [c.body for c in discussion.list_comments(hank, shared.id, shared.widget("discussion"))]
    assert texts == ["Shared note on the pelican acquisition plan"]


def test_staff_without_access_do_not_see_the_restricted_page(tenant):
    restricted = tenant.pages["staff_restricted"]
    assert pages.view_page(tenant.actor("dana"), restricted.slug)
    with pytest.raises(NotFound):
        pages.view_page(tenant.actor("sam"), restricted.slug)


def test_secrets_are_told_apart(tenant):
    assert "Globex Merger Dossier" in tenant.foreign_secrets("ana")
    assert "Northwind Quarterly Ledger" not in tenant.foreign_secrets("ana")
    assert tenant.foreign_secrets("admin") == []
    assert set(tenant.foreign_secrets("anonymous")) >= set(tenant.foreign_secrets("ana"))


def test_the_world_can_be_built_again_in_the_same_database(tenant):
    """Browser test modules share one server database and each builds its own world."""
    again = build_tenant_world()
    assert again.pages["northwind_room"].id != tenant.pages["northwind_room"].id
    assert again.shares["guest"] != tenant.shares["guest"]
    assert again.guest is not None and again.guest.user_id == tenant.guest.user_id
