"""Search finds only what the searcher may see: another organization's page is never
a hit, not by its title, not by its text."""

from __future__ import annotations

from portal_app.services.search import search
from tests.support.pages import build_page


def _titles(actor, query):
    return [hit.title for hit in search(actor, query) if hit.kind == "page"]


def test_client_finds_pages_shared_with_them_by_title_and_text(world):
    build_page(
        world.dana,
        "Northwind tax return",
        [("rich_text", {"html": "<p>Your <b>VAT</b> filing is due in March.</p>"})],
        organizations={world.northwind_id: "view"},
    )
    assert _titles(world.ana, "tax return") == ["Northwind tax return"]
    hit = search(world.ana, "vat filing")[0]
    assert hit.href == "/pages/northwind-tax-return"
    assert "VAT filing is due" in hit.snippet and "<b>" not in hit.snippet


def test_other_organizations_pages_never_appear(world):
    build_page(
        world.sam,
        "Globex acquisition plan",
        [("rich_text", {"html": "<p>Confidential: Globex buys Initech.</p>"})],
        organizations={world.globex_id: "contribute"},
    )
    for query in ("acquisition", "globex", "initech", "confidential", "plan"):
        assert _titles(world.ana, query) == []
    assert _titles(world.hank, "acquisition") == ["Globex acquisition plan"]
    assert _titles(world.dana, "initech") == ["Globex acquisition plan"]  # staff see it


def test_unpublished_and_unshared_pages_stay_out_of_client_results(world):
    build_page(
        world.dana,
        "Draft proposal for Northwind",
        [("heading", {"text": "Fees"})],
        organizations={world.northwind_id: "view"},
        publish=False,
    )
    build_page(world.dana, "Internal fees memo", [("heading", {"text": "Fees"})])
    assert _titles(world.ana, "fees") == []
    assert sorted(_titles(world.dana, "fees")) == [
        "Draft proposal for Northwind",
        "Internal fees memo",
    ]


def test_people_hits_follow_the_people_policy(world):
    names = [hit.title for hit in search(world.ana, "globex") if hit.kind == "person"]
    assert names == []
    names = [hit.title for hit in search(world.ana, "thomas") if hit.kind == "person"]
    assert names == ["Thomas Hardy"]


def test_odd_queries_are_harmless(world):
    for query in ("", " ", "a", None, 42, ["x"], "%", "_", "' OR 1=1 --"):
        assert search(world.ana, query) == [] or all(
            hit.kind in ("page", "person") for hit in search(world.ana, query)
        )
