"""Client document spaces: areas, versions, the trash, the library widget and dropsites,
each checked against who must and must not see them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app import access, config
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import AuditEvent, Document, DocumentFolder, StoredFile
from portal_app.models.documents import INTERNAL, RECEIVED, SHARED
from portal_app.services import documents, files
from portal_app.storage import get_storage
from tests.support.pages import build_page

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"0" * 200


def stored(data: bytes = PDF):
    return get_storage().save(iter([data]), max_bytes=10**9)


def put(actor, folder_id, name="report.pdf", data=PDF) -> dict:
    destination = {"kind": "folder", "folder": folder_id}
    documents.plan_upload(actor, destination, name, len(data))
    return documents.accept_upload(actor, destination, name, stored(data), "application/pdf")


def areas(world, organization_id=None):
    view = documents.open_space(world.dana, organization_id or world.northwind_id)
    return {row.area: row for row in view.areas}


def read(actor, url: str) -> bytes:
    file, storage = files.open_for_download(actor, url.rsplit("/", 1)[1])
    return b"".join(storage.open_range(file.storage_key))


def test_staff_see_three_areas_a_client_only_the_shared_one(world):
    tops = areas(world)
    assert [tops[a].name for a in (SHARED, INTERNAL, RECEIVED)] == [
        "Shared with client",
        "Internal (staff only)",
        "Received",
    ]
    client_view = documents.open_space(world.ana)
    assert [a.area for a in client_view.areas] == [SHARED]
    assert client_view.folder.id == tops[SHARED].id
    assert client_view.can_manage is False and client_view.used == ""
    for hidden in (INTERNAL, RECEIVED):
        with pytest.raises(NotFound):
            documents.open_space(world.ana, folder_id=tops[hidden].id)


def test_a_client_never_opens_another_organizations_space(world):
    globex_shared = areas(world, world.globex_id)[SHARED]
    put(world.sam, globex_shared.id, "globex-plan.pdf")
    # Asking for Globex's organization or folder is refused like something that isn't there.
    with pytest.raises(NotFound):
        documents.open_space(world.ana, world.globex_id)
    assert documents.open_space(world.ana, world.northwind_id).documents == []
    with pytest.raises(NotFound):
        documents.open_space(world.ana, folder_id=globex_shared.id)
    assert [c.id for c in documents.organizations(world.ana)] == [world.northwind_id]
    assert {c.id for c in documents.organizations(world.dana)} == {
        world.northwind_id,
        world.globex_id,
    }


def test_uploading_the_same_name_makes_a_version_and_restore_copies_it_back(world):
    shared = areas(world)[SHARED]
    first = put(world.dana, shared.id, "Engagement letter.pdf", PDF + b"one")
    second = put(world.dana, shared.id, "engagement LETTER.pdf", PDF + b"two")
    assert first["file"]["id"] == second["file"]["id"] and second["file"]["version"] == 2
    [row] = documents.open_space(world.dana, world.northwind_id).documents
    assert row.versions == 2 and row.name == "Engagement letter.pdf"
    versions = documents.list_versions(world.dana, row.id)
    assert [(v.number, v.current) for v in versions] == [(2, True), (1, False)]
    # A client reads the current version only, never an older one.
    assert read(world.ana, row.url).endswith(b"two")
    with pytest.raises(NotFound):
        read(world.ana, versions[1].url)
    with pytest.raises(Forbidden):
        documents.list_versions(world.ana, row.id)
    documents.restore_version(world.dana, row.id, versions[1].file_id)
    after = documents.list_versions(world.dana, row.id)
    assert [(v.number, v.current) for v in after] == [(3, True), (2, False), (1, False)]
    assert read(world.ana, documents.open_space(world.ana).documents[0].url).endswith(b"one")


def test_internal_documents_never_reach_a_client(world):
    internal = areas(world)[INTERNAL]
    result = put(world.dana, internal.id, "working-papers.pdf")
    assert documents.open_space(world.ana).documents == []
    with pytest.raises(NotFound):
        read(world.ana, result["file"]["url"])
    with pytest.raises(Forbidden):
        put(world.ana, internal.id)


def test_a_folder_moves_with_everything_in_it_and_takes_the_new_area(world, database):
    shared, internal = areas(world)[SHARED], areas(world)[INTERNAL]
    drafts = documents.create_folder(world.dana, internal.id, "Drafts")
    inner = documents.create_folder(world.dana, drafts.id, "Letters")
    put(world.dana, inner.id, "engagement-letter.pdf")
    assert documents.open_space(world.ana).folders == []
    choices = [c.name for c in documents.folder_move_choices(world.dana, drafts.id)]
    # Not into itself, what is inside it, or where it already is; never another client.
    assert "Shared with client" in choices and "Received" in choices
    assert not any("Drafts" in c for c in choices) and "Internal (staff only)" not in choices
    with pytest.raises(Invalid, match="into itself"):
        documents.move_folder(world.dana, drafts.id, inner.id)
    globex_shared = areas(world, world.globex_id)[SHARED]
    with pytest.raises(Invalid, match="same client"):
        documents.move_folder(world.dana, drafts.id, globex_shared.id)
    with pytest.raises(Forbidden):
        documents.move_folder(world.ana, drafts.id, shared.id)
    with pytest.raises(Invalid, match="top folders"):
        documents.move_folder(world.dana, shared.id, internal.id)

    documents.move_folder(world.dana, drafts.id, shared.id)

    # Now the client sees the folder, its subfolder and the document in it.
    assert [f.name for f in documents.open_space(world.ana).folders] == ["Drafts"]
    letters = documents.open_space(world.ana, folder_id=inner.id)
    assert [d.name for d in letters.documents] == ["engagement-letter.pdf"]
    # A folder of the same name where it goes is refused, nothing moved.
    other = documents.create_folder(world.dana, internal.id, "Drafts")
    with pytest.raises(Invalid, match="already a folder"):
        documents.move_folder(world.dana, other.id, shared.id)
    assert documents.open_space(world.ana).folders[0].id == drafts.id


def test_folders_rename_move_delete_and_restore_from_the_trash(world, database):
    shared = areas(world)[SHARED]
    folder = documents.create_folder(world.dana, shared.id, "Tax returns")
    with pytest.raises(Invalid, match="already a folder"):
        documents.create_folder(world.dana, shared.id, "tax returns")
    documents.rename_folder(world.dana, folder.id, "Tax 2026")
    put(world.dana, folder.id, "return.pdf")
    moved = put(world.dana, shared.id, "receipt.pdf")["file"]["id"]
    choices = documents.move_choices(world.dana, moved)
    assert "Shared with client › Tax 2026" in [c.name for c in choices]
    assert all("Globex" not in c.name for c in choices)
    documents.move_document(world.dana, moved, folder.id)
    inside = documents.open_space(world.ana, folder_id=folder.id)
    assert {d.name for d in inside.documents} == {"return.pdf", "receipt.pdf"}
    # Never into another client's folder.
    globex_shared = areas(world, world.globex_id)[SHARED]
    with pytest.raises(Invalid, match="same client"):
        documents.move_document(world.dana, moved, globex_shared.id)
    documents.delete_folder(world.dana, folder.id)
    assert documents.open_space(world.ana).folders == []
    with pytest.raises(NotFound):
        documents.open_space(world.ana, folder_id=folder.id)
    with pytest.raises(Forbidden):
        documents.list_trash(world.dana)
    [trashed] = documents.list_trash(world.admin)
    assert (trashed.kind, trashed.name, trashed.organization) == (
        "folder",
        "Tax 2026",
        "Northwind Traders",
    )
    documents.restore_from_trash(world.admin, "folder", folder.id)
    restored = documents.open_space(world.ana, folder_id=folder.id)
    assert {d.name for d in restored.documents} == {"return.pdf", "receipt.pdf"}
    assert database.rows(AuditEvent, AuditEvent.action == "restored_from_trash")


def test_the_trash_is_purged_after_30_days(world, database):
    shared = areas(world)[SHARED]
    row = put(world.dana, shared.id, "old.pdf")
    documents.delete_document(world.dana, row["file"]["id"])
    [file] = database.rows(StoredFile, StoredFile.owner_type == "document")
    assert get_storage().exists(file.storage_key)
    database.age(Document, timedelta(days=31), "deleted_at")
    assert documents.list_trash(world.admin) == []
    with pytest.raises(NotFound):
        documents.restore_from_trash(world.admin, "document", row["file"]["id"])
    assert documents.purge_trash() == 1
    assert not get_storage().exists(file.storage_key)


def test_quota_and_size_are_refused_before_a_byte_with_a_clear_message(world, monkeypatch):
    shared = areas(world)[SHARED]
    monkeypatch.setenv("PORTAL_ORGANIZATION_QUOTA_MB", "1")
    monkeypatch.setenv("PORTAL_MAX_DOCUMENT_MB", "2")
    config.reload_settings()
    destination = {"kind": "folder", "folder": shared.id}
    put(world.dana, shared.id, "big.pdf", PDF + b"x" * 900_000)
    with pytest.raises(documents.QuotaExceeded, match="isn't room"):
        documents.plan_upload(world.dana, destination, "more.pdf", 200_000)
    with pytest.raises(documents.QuotaExceeded, match="larger than 2.0 MB"):
        documents.plan_upload(world.dana, destination, "huge.pdf", 3 * 1024 * 1024)
    # Globex has its own quota.
    globex = areas(world, world.globex_id)[SHARED]
    documents.plan_upload(world.sam, {"kind": "folder", "folder": globex.id}, "ok.pdf", 200_000)


@pytest.fixture
def dropsite_page(world):
    return build_page(
        world.admin,
        "Send us files",
        [("dropsite", None)],
        organizations={world.northwind_id: "contribute", world.globex_id: "view"},
    )


def send(actor, page, names, message="Here you go"):
    batch = documents.start_batch(actor, page.id, page.widget("dropsite"), message=message)
    results = []
    for name in names:
        destination = {"kind": "dropsite", "batch": batch}
        documents.plan_upload(actor, destination, name, len(PDF))
        results.append(
            documents.accept_upload(actor, destination, name, stored(), "application/pdf")
        )
    return batch, results


@pytest.mark.usefixtures("smtp_inbox")
def test_a_dropsite_is_upload_only_keeps_both_names_and_tells_staff_once(
    world, dropsite_page, smtp_inbox
):
    batch, results = send(world.ana, dropsite_page, ["report.pdf", "report.pdf", "id.pdf"])
    assert all(set(r["file"]) == {"name", "size", "type_label", "quarantined"} for r in results)
    assert [r["file"]["name"] for r in results] == ["report.pdf", "report (2).pdf", "id.pdf"]
    summary = documents.finish_batch(world.ana, batch)
    assert summary.count == 3
    documents.finish_batch(world.ana, batch)  # again: no second message
    # Dana is Northwind's staff: one message for the three files.
    [message] = smtp_inbox.to("dana@firm.example")
    assert "sent 3 files" in message["Subject"] and "Here you go" in message.get_content()
    assert smtp_inbox.to("sam@firm.example") == []
    # The sender (and their colleague) can't list or open what arrived.
    received = areas(world)[RECEIVED]
    view = documents.open_space(world.dana, folder_id=received.id)
    [folder] = view.folders
    assert folder.name.startswith("Ana Trujillo · ") and folder.sender == "Ana Trujillo"
    inside = documents.open_space(world.dana, folder_id=folder.id)
    assert {d.name for d in inside.documents} == {"report.pdf", "report (2).pdf", "id.pdf"}
    assert {d.uploader for d in inside.documents} == {"Ana Trujillo"}
    for client in world.northwind_clients:
        with pytest.raises(NotFound):
            documents.open_space(client, folder_id=folder.id)
        for row in inside.documents:
            with pytest.raises(NotFound):
                read(client, row.url)
    # Another organization's batch is not theirs to add to or finish.
    with pytest.raises(NotFound):
        documents.finish_batch(world.thomas, batch)
    with pytest.raises(NotFound):
        documents.plan_upload(world.hank, {"kind": "dropsite", "batch": batch}, "x.pdf", 10)


def test_dropsite_refusals(world, dropsite_page):
    widget = dropsite_page.widget("dropsite")
    with pytest.raises(Forbidden, match="staff add files in Documents"):
        documents.dropsite_info(world.dana, dropsite_page.id, widget)
    with pytest.raises(Forbidden):  # Globex may only view the page
        documents.start_batch(world.hank, dropsite_page.id, widget)
    info = documents.dropsite_info(world.ana, dropsite_page.id, widget)
    assert (info.organization_name, info.asks_sender) == ("Northwind Traders", False)
    batch, _ = send(world.ana, dropsite_page, ["a.pdf"])
    documents.finish_batch(world.ana, batch)
    with pytest.raises(Invalid, match="sent already"):
        documents.plan_upload(world.ana, {"kind": "dropsite", "batch": batch}, "late.pdf", 10)
    with pytest.raises(Invalid, match="under 2,000"):
        documents.start_batch(world.ana, dropsite_page.id, widget, message="x" * 2001)


def test_the_library_widget_shows_each_client_their_own_folder(world):
    page = build_page(
        world.admin,
        "Year end",
        [("library", {"title": "Your documents", "folder": "Year end/2026"})],
        organizations={world.northwind_id: "contribute", world.globex_id: "view"},
    )
    widget = page.widget("library")
    assert documents.library_view(world.dana, page.id, widget) is None
    staff_view = documents.library_view(world.dana, page.id, widget, world.northwind_id)
    assert staff_view is not None and staff_view.folder.name == "2026"
    put(world.dana, staff_view.folder.id, "accounts.pdf")
    northwind = documents.library_view(world.ana, page.id, widget)
    globex = documents.library_view(world.hank, page.id, widget)
    assert northwind is not None and globex is not None
    assert [d.name for d in northwind.documents] == ["accounts.pdf"]
    assert globex.documents == [] and globex.organization_name == "Globex Corporation"
    # No climbing above the widget's folder, and no contributor uploads unless allowed.
    top = areas(world)[SHARED]
    with pytest.raises(NotFound):
        documents.library_view(world.ana, page.id, widget, folder_id=top.id)
    assert northwind.can_upload is False
    with pytest.raises(Forbidden):
        documents.plan_upload(
            world.ana,
            {"kind": "library", "page": page.id, "widget": widget, "folder": northwind.folder.id},
            "mine.pdf",
            10,
        )


def test_contributors_upload_through_a_library_that_allows_it(world):
    page = build_page(
        world.admin,
        "Onboarding",
        [("library", {"folder": "Onboarding", "contributors_may_upload": True})],
        organizations={world.northwind_id: "contribute", world.globex_id: "view"},
    )
    widget = page.widget("library")
    view = documents.library_view(world.ana, page.id, widget)
    assert view is not None and view.can_upload
    destination = view.upload_destination
    documents.plan_upload(world.ana, destination, "passport.pdf", len(PDF))
    documents.accept_upload(world.ana, destination, "passport.pdf", stored(), "application/pdf")
    assert [d.name for d in documents.library_view(world.thomas, page.id, widget).documents] == [
        "passport.pdf"
    ]
    # Globex (view only) can't, and can't aim Ana's destination at its own space either.
    with pytest.raises(Forbidden):
        documents.plan_upload(world.hank, destination, "x.pdf", 10)
    globex_view = documents.library_view(world.hank, page.id, widget)
    assert globex_view is not None and globex_view.documents == []


def test_nothing_of_a_space_is_counted_for_another_client(world, database):
    put(world.dana, areas(world)[SHARED].id, "a.pdf")
    globex = documents.open_space(world.hank)
    assert globex.folder.items == 0 and all(a.items == 0 for a in globex.areas)
    assert access.visible_documents_filter(world.hank) is not None
    assert len(database.rows(DocumentFolder)) >= 4


def test_search_finds_documents_only_where_the_reader_may_see_them(world):
    from portal_app.services import search

    tops = areas(world)
    put(world.dana, tops[SHARED].id, "Walrus audit 2026.pdf")
    put(world.dana, tops[INTERNAL].id, "Walrus audit notes.pdf")
    globex = areas(world, world.globex_id)
    put(world.sam, globex[SHARED].id, "Walrus audit for Globex.pdf")

    def found(actor, query="walrus audit"):
        return sorted(h.title for h in search.search(actor, query) if h.kind == "document")

    assert found(world.ana) == ["Walrus audit 2026.pdf"]
    assert found(world.hank) == ["Walrus audit for Globex.pdf"]
    assert found(world.dana) == [
        "Walrus audit 2026.pdf",
        "Walrus audit for Globex.pdf",
        "Walrus audit notes.pdf",
    ]
    assert found(world.ana, "100%") == [] and found(world.ana, "walrus_") == []
