"""Library documents and dropsites shared through links: what a link opens, what it
never opens, and how they show in the Shared list."""

from __future__ import annotations

import re

import pytest

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import Share
from portal_app.models.documents import SHARED
from portal_app.services import documents, pages, sessions, sharing
from portal_app.storage import get_storage
from tests.support.pages import build_page

PDF = b"%PDF-1.7\n" + b"3" * 300
SIGNED = re.compile(r"^/s/file/(\d+)/(\d+)/(\d+)/([A-Za-z0-9_\-]+)$")


def put(actor, folder_id, name="brief.pdf", data=PDF):
    destination = {"kind": "folder", "folder": folder_id}
    blob = get_storage().save(iter([data]), max_bytes=10**6)
    return documents.accept_upload(actor, destination, name, blob, "application/pdf")["file"]


def shared_top(world, organization_id):
    view = documents.open_space(world.dana, organization_id)
    return next(a for a in view.areas if a.area == SHARED)


def download(path: str, counts: bool = True) -> bytes:
    found = SIGNED.match(path)
    assert found, path
    file, storage = sharing.open_signed_download(
        *found.groups(), ip="192.0.2.9", user_agent="test", counts=counts
    )
    return b"".join(storage.open_range(file.storage_key))


def test_a_web_link_serves_the_documents_current_version(world):
    top = shared_top(world, world.northwind_id)
    document = put(world.dana, top.id, "brief.pdf", PDF + b"v1")
    link = sharing.create_link(world.dana, "web", "document", document["id"], download_limit=2)
    token = link.url.rsplit("/", 1)[1]
    assert download(sharing.open_link(token, ip="192.0.2.9").path).endswith(b"v1")
    put(world.dana, top.id, "brief.pdf", PDF + b"v2")  # a new version
    assert download(sharing.open_link(token, ip="192.0.2.9").path).endswith(b"v2")
    with pytest.raises(sharing.LinkUnavailable, match="download limit"):
        download(sharing.open_link(token, ip="192.0.2.9").path)
    [row] = [r for r in sharing.list_shares(world.admin) if r.item_type == "document"]
    assert (row.item_name, row.downloads, row.item_path) == ("brief.pdf", "2 of 2", "/documents")
    assert [r.id for r in sharing.list_shares(world.admin, {"query": "brief"})] == [row.id]
    northwind = sharing.list_shares(world.admin, {"organization_id": world.northwind_id})
    assert row.id in [r.id for r in northwind]
    globex = sharing.list_shares(world.admin, {"organization_id": world.globex_id})
    assert row.id not in [r.id for r in globex]


def test_a_deleted_documents_link_opens_nothing(world):
    document = put(world.dana, shared_top(world, world.northwind_id).id)
    link = sharing.create_link(world.dana, "web", "document", document["id"])
    token = link.url.rsplit("/", 1)[1]
    path = sharing.open_link(token, ip="192.0.2.9").path
    documents.delete_document(world.dana, document["id"])
    with pytest.raises(sharing.LinkUnavailable):
        download(path)
    with pytest.raises(sharing.LinkUnavailable):
        sharing.open_link(token, ip="192.0.2.9")


def test_only_staff_share_documents_and_an_older_versions_id_is_refused(world):
    document = put(world.dana, shared_top(world, world.northwind_id).id)
    with pytest.raises(Forbidden):
        sharing.create_link(world.ana, "web", "document", document["id"])
    with pytest.raises(NotFound):
        sharing.create_link(world.dana, "web", "document", 999_999)
    with pytest.raises(Invalid):
        sharing.create_link(world.dana, "web", "page_or_whatever", document["id"])


def test_a_dropsite_link_makes_a_guest_who_only_sends_files(world, smtp_inbox):
    page = build_page(world.admin, "Private", organizations={world.northwind_id: "view"})
    link = sharing.create_link(world.dana, "web", "dropsite", world.northwind_id)
    opened = sharing.open_link(link.url.rsplit("/", 1)[1], ip="192.0.2.30")
    assert opened.path == "/dropsite" and opened.guest_token
    guest = sessions.resolve(opened.guest_token)
    assert guest is not None and guest.scope == ("dropsite", world.northwind_id)
    info = documents.dropsite_info(guest)
    assert info.asks_sender and info.organization_name == "Northwind Traders"
    with pytest.raises(Invalid) as refused:
        documents.start_batch(guest, message="Hi", sender_name="Gail", sender_email="nope")
    assert refused.value.field == "sender_email"
    batch = documents.start_batch(
        guest, message="Our files", sender_name="Gail Guest", sender_email="gail@outside.example"
    )
    destination = {"kind": "dropsite", "batch": batch}
    documents.plan_upload(guest, destination, "ledger.pdf", len(PDF))
    blob = get_storage().save(iter([PDF]), max_bytes=10**6)
    documents.accept_upload(guest, destination, "ledger.pdf", blob, "application/pdf")
    assert documents.finish_batch(guest, batch).count == 1
    [message] = smtp_inbox.to("dana@firm.example")
    assert "Gail Guest (gail@outside.example) sent 1 file" in message["Subject"]
    # The guest opens no page, no document space, and no other organization's dropsite.
    with pytest.raises(NotFound):
        pages.view_page(guest, page.slug)
    with pytest.raises(NotFound):
        documents.open_space(guest)
    [row] = [r for r in sharing.list_shares(world.admin) if r.item_type == "dropsite"]
    assert row.item_name == "Dropsite of Northwind Traders"
    # Ended: the guest's session ends with it.
    sharing.set_status(world.admin, [row.id], "deactivated")
    assert sessions.resolve(opened.guest_token) is None


def test_a_secured_dropsite_link_sends_each_client_to_their_own_dropsite(world, database):
    """A secured link is a convenience, not a grant: once signed in, /dropsite sends to
    the person's own organization, whoever the link was made for."""
    link = sharing.create_link(world.dana, "secured", "dropsite", world.northwind_id)
    token = link.url.rsplit("/", 1)[1]
    assert sharing.open_link(token, ip="192.0.2.31").sign_in
    assert sharing.open_link(token, ip="192.0.2.31", signed_in=world.ana).path == "/dropsite"
    assert sharing.open_link(token, ip="192.0.2.31", signed_in=world.hank).path == "/dropsite"
    assert documents.dropsite_info(world.hank).organization_name == "Globex Corporation"
    with pytest.raises(Forbidden):
        documents.dropsite_info(world.dana)
    [share] = database.rows(Share, Share.item_type == "dropsite")
    assert share.organization_id == world.northwind_id and share.page_id is None
