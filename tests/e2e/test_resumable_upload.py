"""An upload into a File attachments widget interrupted partway continues where it
stopped (assets/portal.js over /uploads): the connection drops on a piece (the browser
retries it after asking the server where it got to), then the tab is reloaded with the
upload at a third; picking the same file again continues from the server's offset with
the same upload, never from the start, and the stored file is the file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from playwright.sync_api import Browser, Route, expect

from portal_app.services import files
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD, admin_actor, sign_in
from tests.support.pages import build_page

PIECE = 8 * 1024 * 1024


def test_an_interrupted_upload_resumes_and_completes(
    browser: Browser, portal_server, admin_account, tmp_path: Path
):
    suffix = secrets.token_hex(3)
    admin = admin_actor()
    built = build_page(admin, f"Year end {suffix}", [("attachments", {"title": "Year end"})])
    widget_id = built.widget("attachments")
    source = tmp_path / f"ledger {suffix}.pdf"
    data = b"%PDF-1.7\n" + os.urandom(3 * PIECE - 9 - 12345)  # three pieces, the last short
    source.write_bytes(data)

    context = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    seen: list[tuple[str, str]] = []  # (method, Upload-Offset) of every upload request
    state = {"dropped": False, "hold": True}

    def on_upload(route: Route) -> None:
        request = route.request
        offset = request.headers.get("upload-offset", "")
        seen.append((request.method, offset))
        if request.method == "PATCH" and offset == str(PIECE) and not state["dropped"]:
            state["dropped"] = True  # the network drops on the second piece, once
            route.abort("internetdisconnected")
            return
        if request.method == "PATCH" and offset == str(2 * PIECE) and state["hold"]:
            route.abort("connectionreset")  # ...and the third piece never gets through
            return
        route.continue_()

    context.route("**/uploads**", on_upload)
    page.goto(f"/pages/{built.slug}")
    widget = page.get_by_test_id("attachments")
    expect(widget.get_by_role("button", name="Upload a file")).to_be_visible(timeout=20_000)
    with page.expect_file_chooser() as chooser:
        widget.get_by_role("button", name="Upload a file").click()
    chooser.value.set_files(str(source))
    # The dropped second piece is retried after a HEAD, and goes through.
    page.wait_for_function(
        "() => document.getElementById('upload-progress-label-" + widget_id + "')"
        ".textContent.includes('%')",
        timeout=20_000,
    )
    expect(page.locator(f"#upload-progress-label-{widget_id}")).to_contain_text(
        "Resuming", timeout=30_000
    )
    screenshot(page, "resumable_upload_interrupted")
    assert ("PATCH", str(PIECE)) in seen and ("HEAD", "") in seen
    assert seen.count(("PATCH", str(PIECE))) >= 2

    # The tab is reloaded with two thirds on the server; the same file picked again.
    for _ in range(300):
        if ("PATCH", str(2 * PIECE)) in seen:
            break
        page.wait_for_timeout(100)
    assert ("PATCH", str(2 * PIECE)) in seen, seen
    page.reload()
    state["hold"] = False
    before = len(seen)
    widget = page.get_by_test_id("attachments")
    expect(widget.get_by_role("button", name="Upload a file")).to_be_visible(timeout=20_000)
    with page.expect_file_chooser() as chooser:
        widget.get_by_role("button", name="Upload a file").click()
    chooser.value.set_files(str(source))
    expect(page.get_by_text(f"Uploaded {source.name}.")).to_be_visible(timeout=30_000)
    after = seen[before:]
    assert ("POST", "") not in after, after  # the same upload, not a new one
    assert ("PATCH", "0") not in after and ("PATCH", str(PIECE)) not in after, after
    assert ("PATCH", str(2 * PIECE)) in after
    assert seen.count(("POST", "")) == 1
    expect(widget.get_by_test_id("file-row").filter(has_text=source.name)).to_have_count(1)
    assert_accessible(page, "attachments after a resumed upload")
    screenshot(page, "resumable_upload_done")

    (row,) = [r for r in files.list_files(admin, built.id, widget_id) if r.name == source.name]
    stored, storage = files.open_for_download(admin, row.id)
    assert stored.size == len(data)
    assert b"".join(storage.open_range(stored.storage_key)) == data
    context.close()
