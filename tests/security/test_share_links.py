"""Share links under attack: guessing, replaying, outliving, forging and overusing them.

The rules are in ``portal_app/services/sharing.py`` and the HTTP side in
``portal_app/api/sharing.py``; docs/sharing.md describes both. Time-based rules are
tested by moving stored timestamps into the past, never by sleeping.
"""

from __future__ import annotations

import asyncio
import base64
import math
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from portal_app.api import sharing as share_routes
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Forbidden, Invalid, NotFound, Throttled
from portal_app.models import LoginAttempt, Share, ShareAccess, ShareSession
from portal_app.services import files, sessions, sharing
from tests.support.pages import build_page

PDF = b"%PDF-1.7\n" + b"1" * 4000
PASSWORD = "harbour lantern 42"  # noqa: S105  (test fixture)
ORIGIN = "http://portal.test"


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture
def room(world):
    return build_page(
        world.admin,
        "Northwind Ledger",
        [("discussion", None), ("attachments", None)],
        organizations={world.northwind_id: "contribute"},
    )


@pytest.fixture
def document(world, room):
    return files.save_upload(
        world.admin, room.id, room.widget("attachments"), "ledger.pdf", [PDF], ""
    )


def token_of(link: sharing.CreatedLink) -> str:
    return link.url.rsplit("/", 1)[1]


def http(method: str, url: str, *, cookie: str = "", ip: str = "203.0.113.9", **kwargs):
    """One request to the /s/ routes, on a private event loop in a worker thread (a
    full run's Playwright owns this thread's loop)."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(
            app=Starlette(routes=share_routes.routes), client=(ip, 40000)
        )
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            if cookie:
                client.cookies.set(sessions.COOKIE_NAME, cookie)
            return await client.request(method, url, **kwargs)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, send()).result()


def post_password(token: str, password: str, **kwargs) -> httpx.Response:
    return http(
        "POST",
        f"/s/{token}",
        data={"password": password},
        headers={"origin": ORIGIN},
        **kwargs,
    )


def share_row(share_id: int) -> Share:
    with session_scope() as session:
        share = session.get(Share, share_id)
        assert share is not None
        return share


def age_share(share_id: int, **fields: timedelta) -> None:
    with session_scope() as session:
        share = session.get(Share, share_id)
        assert share is not None
        for name, by in fields.items():
            setattr(share, name, getattr(share, name) - by)
        session.add(share)


# --- tokens ------------------------------------------------------------------------------


def test_link_tokens_are_long_random_and_stored_only_as_their_hash(world, room, database):
    links = [sharing.create_link(world.dana, "web", "page", room.id) for _ in range(40)]
    tokens = [token_of(link) for link in links]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) == 32, "256 random bits"
    # Every character of the URL-safe alphabet turns up about as often as chance says.
    counts = Counter("".join(tokens))
    assert len(counts) > 55
    # Shannon entropy of the characters: close to log2(64) = 6 bits each.
    total = sum(counts.values())
    entropy = -sum(n / total * math.log2(n / total) for n in counts.values())
    assert entropy > 5.8
    dump = database.dump()
    assert not any(token in dump for token in tokens), "a link token is stored in the clear"
    stored = {share_row(link.share_id).token_hash for link in links}
    assert stored == {sharing.token_hash(t) for t in tokens}


def test_a_guest_invitation_link_is_mailed_and_never_stored(world, room, smtp_inbox, database):
    assert sharing.invite_guests(world.dana, room.id, "Gail <gail@outside.example>") == 1
    (message,) = smtp_inbox.to("gail@outside.example")
    found = re.search(r"/s/([A-Za-z0-9_\-]{43})", message.get_content())
    assert found, message.get_content()
    assert found.group(1) not in database.dump()
    assert "Northwind Ledger" in message["Subject"]


# --- policy: fail closed --------------------------------------------------------------------


def test_a_web_link_without_the_password_the_policy_asks_for_is_refused(world, room, database):
    sharing.set_policy(world.admin, 30, 90, True)
    before = len(database.rows(Share))
    with pytest.raises(Invalid) as refused:
        sharing.create_link(world.dana, "web", "page", room.id)
    assert refused.value.field == "password"
    assert len(database.rows(Share)) == before, "refused, never created unprotected"
    link = sharing.create_link(world.dana, "web", "page", room.id, password=PASSWORD)
    assert share_row(link.share_id).password_hash


def test_expiries_beyond_the_maximum_or_in_the_past_are_refused(world, room, database):
    sharing.set_policy(world.admin, 7, 30, False)
    now = utcnow()
    for bad in (now - timedelta(minutes=1), now + timedelta(days=31)):
        with pytest.raises(Invalid) as refused:
            sharing.create_link(
                world.dana, "web", "page", room.id, expires_at=bad.strftime("%Y-%m-%dT%H:%M")
            )
        assert refused.value.field == "expires_at"
    with pytest.raises(Invalid):
        sharing.invite_guests(
            world.dana,
            room.id,
            "gus@outside.example",
            expires_at=(now + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
        )
    assert database.rows(Share) == []
    # No expiry asked for: the portal's default applies.
    share = share_row(sharing.create_link(world.dana, "web", "page", room.id).share_id)
    assert share.expires_at is not None
    assert abs((share.expires_at - (now + timedelta(days=7))).total_seconds()) < 60


def test_only_admins_set_the_policy_and_nonsense_is_refused(world):
    for person in (world.dana, world.ana):
        with pytest.raises(Forbidden):
            sharing.set_policy(person, 1, 2, False)
    with pytest.raises(Invalid):
        sharing.set_policy(world.admin, 40, 30, False)
    with pytest.raises(Invalid):
        sharing.set_policy(world.admin, "-1", 30, False)
    assert sharing.get_policy(world.admin) == sharing.PolicyView(30, 365, False)


# --- expiry on the server ----------------------------------------------------------------------


def test_an_expired_link_answers_410_naming_who_to_ask(world, room):
    expiry = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    link = sharing.create_link(world.dana, "web", "page", room.id, expires_at=expiry)
    assert http("GET", f"/s/{token_of(link)}").status_code == 303
    # One second past the expiry.
    share = share_row(link.share_id)
    assert share.expires_at is not None
    age_share(link.share_id, expires_at=(share.expires_at - utcnow()) + timedelta(seconds=1))
    answer = http("GET", f"/s/{token_of(link)}")
    assert answer.status_code == 410
    assert "This link has expired" in answer.text and "Dana Whitfield" in answer.text


def test_a_guest_session_ends_with_its_share(world, room):
    link = sharing.create_link(world.dana, "web", "page", room.id)
    answer = http("GET", f"/s/{token_of(link)}")
    cookie = answer.cookies[sessions.COOKIE_NAME]
    assert cookie.startswith(sharing.GUEST_COOKIE_PREFIX)
    assert "httponly" in answer.headers["set-cookie"].lower()
    assert sessions.resolve(cookie) is not None
    sharing.set_status(world.dana, [link.share_id], "deactivated")
    assert sessions.resolve(cookie) is None
    sharing.set_status(world.dana, [link.share_id], "active")
    assert sessions.resolve(cookie) is None, "reactivating does not revive old sessions"


def test_an_expired_share_ends_its_guest_sessions(world, room):
    link = sharing.create_link(world.dana, "web", "page", room.id)
    opened = sharing.open_link(token_of(link), ip="198.51.100.1")
    assert isinstance(opened, sharing.Opened)
    assert sessions.resolve(opened.guest_token) is not None
    with session_scope() as session:
        share = session.get(Share, link.share_id)
        assert share is not None
        share.expires_at = utcnow() - timedelta(seconds=1)
        session.add(share)
    assert sessions.resolve(opened.guest_token) is None


# --- passwords ------------------------------------------------------------------------------


def test_a_password_link_asks_refuses_the_wrong_one_and_opens_with_the_right_one(
    world, room, document
):
    link = sharing.create_link(world.dana, "web", "file", document.id, password=PASSWORD)
    token = token_of(link)
    asked = http("GET", f"/s/{token}")
    assert asked.status_code == 200 and 'type="password"' in asked.text
    wrong = post_password(token, "not the password")
    assert wrong.status_code == 401 and "That password isn&#x27;t right." in wrong.text
    right = post_password(token, PASSWORD)
    assert right.status_code == 303
    download = http("GET", right.headers["location"])
    assert download.status_code == 200 and download.content == PDF
    assert "ledger.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"


def test_a_password_form_from_another_site_is_refused(world, room):
    link = sharing.create_link(world.dana, "web", "page", room.id, password=PASSWORD)
    answer = http(
        "POST",
        f"/s/{token_of(link)}",
        data={"password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert answer.status_code == 403
    assert sessions.COOKIE_NAME not in answer.cookies


def test_link_passwords_follow_the_rules(world, room):
    for bad, field in (("short", "password"), ("password", "password"), (12345678, "password")):
        with pytest.raises(Invalid) as refused:
            sharing.create_link(world.dana, "web", "page", room.id, password=bad)
        assert refused.value.field == field
    with pytest.raises(Invalid):
        sharing.create_link(world.dana, "secured", "page", room.id, password=PASSWORD)


# --- throttling ------------------------------------------------------------------------------


def test_guessing_a_links_password_slows_after_5_and_locks_after_10(world, room):
    link = sharing.create_link(world.dana, "web", "page", room.id, password=PASSWORD)
    token = token_of(link)
    for attempt in range(4):
        assert post_password(token, f"guess number {attempt}").status_code == 401
    # The fifth failure starts the wait, and says so.
    slowed = post_password(token, "guess number 4")
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) == 30
    assert "Too many attempts" in slowed.text
    # Even the right password waits: the throttle comes before the check.
    assert post_password(token, PASSWORD).status_code == 429

    # Each further failure, tried after its wait, is counted and doubles the wait (the
    # failure that starts a wait answers 429 at once); the tenth locks the link.
    def link_failures() -> int:
        with session_scope() as session:
            rows = session.exec(select(LoginAttempt).where(LoginAttempt.key.startswith("share:")))
            return sum(1 for row in rows if not row.succeeded)

    for count in range(5, 10):
        wait = 30 * 2 ** (count - 5)
        with session_scope() as session:
            for row in session.exec(select(LoginAttempt)).all():
                row.attempted_at -= timedelta(seconds=wait + 1)
                session.add(row)
        answer = post_password(token, f"guess number {count}")
        assert answer.status_code == 429
        assert int(answer.headers["retry-after"]) == min(2 * wait, 30 * 60) or count == 9
        assert link_failures() == count + 1
    locked = post_password(token, PASSWORD)
    assert locked.status_code == 429
    # Locked until the oldest of the ten leaves the 30-minute window (it is 15.5 min old).
    assert 10 * 60 < int(locked.headers["retry-after"]) <= 15 * 60
    assert link_failures() == 10, "a refused try is not counted, so the lock lifts"


def test_guessing_tokens_from_one_address_slows_that_address_only(world, room):
    link = sharing.create_link(world.dana, "web", "page", room.id)
    for n in range(4):
        assert http("GET", f"/s/{'x' * 40}{n:03d}", ip="198.51.100.7").status_code == 404
    assert http("GET", "/s/" + "x" * 43, ip="198.51.100.7").status_code == 429
    assert http("GET", "/s/" + "y" * 43, ip="198.51.100.7").status_code == 429
    assert http("GET", f"/s/{token_of(link)}", ip="198.51.100.7").status_code == 429
    # Someone else opening the real link is not held up by the guesser.
    assert http("GET", f"/s/{token_of(link)}", ip="192.0.2.55").status_code == 303


def test_a_right_password_clears_only_that_links_count(world, room):
    first = sharing.create_link(world.dana, "web", "page", room.id, password=PASSWORD)
    for attempt in range(4):
        post_password(token_of(first), f"wrong {attempt}")
    assert post_password(token_of(first), PASSWORD).status_code == 303
    with session_scope() as session:
        keys = Counter(row.key.split(":")[0] for row in session.exec(select(LoginAttempt)).all())
    # The address keeps its four failures; the link's count was cleared by the success.
    assert keys["shareip"] == 4
    # So one more failure from that address, on any link, makes it wait.
    with pytest.raises(Throttled):
        sharing.open_link("z" * 43, ip="203.0.113.9")


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(world, room):
    for n in range(5):
        http("GET", f"/s/{'q' * 40}{n:03d}", headers={"x-forwarded-for": f"10.0.0.{n}"})
    # All five counted against the socket's address, whatever the header claimed.
    assert http("GET", "/s/" + "r" * 43, headers={"x-forwarded-for": "10.9.9.9"}).status_code == (
        429
    )


# --- the access log and first-open mail ----------------------------------------------------------


def test_each_use_is_logged_and_the_sharer_hears_of_the_first_open_once(
    world, room, document, smtp_inbox
):
    link = sharing.create_link(
        world.dana, "web", "file", document.id, password=PASSWORD, notify_first_open=True
    )
    token = token_of(link)
    for _ in range(2):
        opened = post_password(token, PASSWORD)
        assert http("GET", opened.headers["location"]).status_code == 200
    log = sharing.access_log(world.dana, link.share_id)
    assert [row.what for row in log].count("opened the link") == 2
    assert [row.what for row in log].count("downloaded “ledger.pdf”") == 2
    assert all(row.ip == "203.0.113.9" for row in log)
    assert share_row(link.share_id).use_count == 2
    assert share_row(link.share_id).download_count == 2
    notices = [m for m in smtp_inbox.to("dana@firm.example") if "opened" in m["Subject"]]
    assert len(notices) == 1
    # Another staff member who can't see the page can't read its log.
    restricted = build_page(world.admin, "Restricted", [("attachments", None)])
    from portal_app.services import grants

    grants.set_permissions(world.admin, restricted.id, "restricted", [world.admin.user_id], [])
    hidden = sharing.create_link(world.admin, "web", "page", restricted.id)
    with pytest.raises(NotFound):
        sharing.access_log(world.dana, hidden.share_id)
    with pytest.raises(Forbidden):
        sharing.access_log(world.ana, link.share_id)


# --- downloads: limit, signature, ranges ---------------------------------------------------------


def _signed(link: sharing.CreatedLink) -> str:
    opened = sharing.open_link(token_of(link), ip="192.0.2.10")
    assert isinstance(opened, sharing.Opened)
    return opened.path


def test_the_download_limit_holds_under_concurrent_requests(world, room, document):
    link = sharing.create_link(world.dana, "web", "file", document.id, download_limit=3)
    share_id, file_id, expires, signature = _signed(link).split("/")[3:]

    def one(_: int) -> str:
        try:
            sharing.open_signed_download(
                share_id, file_id, expires, signature, ip="192.0.2.10", user_agent="", counts=True
            )
            return "served"
        except sharing.LinkUnavailable as refused:
            return str(refused)

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = Counter(pool.map(one, range(24)))
    assert results == {"served": 3, "This link has reached its download limit.": 21}
    assert share_row(link.share_id).download_count == 3
    with session_scope() as session:
        downloads = session.exec(
            select(ShareAccess).where(ShareAccess.share_id == link.share_id)
        ).all()
    assert sum(1 for row in downloads if row.what.startswith("downloaded")) == 3


def test_a_tampered_or_stale_signed_url_is_refused(world, room, document):
    link = sharing.create_link(world.dana, "web", "file", document.id)
    other = files.save_upload(
        world.admin, room.id, room.widget("attachments"), "other.pdf", [PDF], ""
    )
    path = _signed(link)
    share_id, file_id, expires, signature = path.split("/")[3:]
    tampered = [
        f"/s/file/{share_id}/{other.id}/{expires}/{signature}",  # another file
        f"/s/file/{share_id}/{file_id}/{int(expires) + 3600}/{signature}",  # longer life
        f"/s/file/{share_id}/{file_id}/{expires}/{signature[:-2]}AA",  # forged signature
        f"/s/file/{int(share_id) + 1}/{file_id}/{expires}/{signature}",  # another share
    ]
    for url in tampered:
        answer = http("GET", url)
        assert answer.status_code == 404, url
        assert PDF not in answer.content
    assert http("GET", path).status_code == 200
    # Signed five minutes ahead: once past, the URL is stale (re-signed so only time differs).
    past = int(time.time()) - 1
    with session_scope() as session:
        stale_signature = sharing._signature(session, int(share_id), int(file_id), past)
    stale = http("GET", f"/s/file/{share_id}/{file_id}/{past}/{stale_signature}")
    assert stale.status_code == 410
    # Deactivating the share stops URLs already handed out.
    sharing.set_status(world.dana, [link.share_id], "deactivated")
    assert http("GET", path).status_code == 404


def test_ranges_count_once_and_names_are_safe(world, room):
    odd = files.save_upload(
        world.admin, room.id, room.widget("attachments"), 'Q1 "final"\r\nreport.pdf', [PDF], ""
    )
    link = sharing.create_link(world.dana, "web", "file", odd.id, download_limit=2)
    path = _signed(link)
    head = http("HEAD", path)
    assert head.status_code == 200 and head.content == b""
    first = http("GET", path, headers={"range": "bytes=0-99"})
    assert first.status_code == 206 and first.content == PDF[:100]
    rest = http("GET", path, headers={"range": "bytes=100-"})
    assert rest.status_code == 206 and rest.content == PDF[100:]
    assert share_row(link.share_id).download_count == 1, "HEAD and later ranges don't count"
    disposition = first.headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2, "the name's own quotes can't close the header's"


# --- who may manage, who may open -----------------------------------------------------


def test_staff_manage_the_shares_of_pages_they_may_see_and_clients_none(world, room):
    restricted = build_page(world.admin, "Partner memo", [("rich_text", None)])
    from portal_app.services import grants

    grants.set_permissions(world.admin, restricted.id, "restricted", [world.admin.user_id], [])
    hidden = sharing.create_link(world.admin, "web", "page", restricted.id)
    visible = sharing.create_link(world.admin, "web", "page", room.id)
    assert {row.id for row in sharing.list_shares(world.admin)} == {
        hidden.share_id,
        visible.share_id,
    }
    assert {row.id for row in sharing.list_shares(world.dana)} == {visible.share_id}
    for action in (
        lambda: sharing.set_status(world.dana, [hidden.share_id], "deactivated"),
        lambda: sharing.set_expiry(world.dana, [hidden.share_id], ""),
        lambda: sharing.regenerate_link(world.dana, hidden.share_id),
        # One hidden id among visible ones refuses the whole batch.
        lambda: sharing.set_status(world.dana, [visible.share_id, hidden.share_id], "removed"),
    ):
        with pytest.raises(NotFound):
            action()
    assert share_row(hidden.share_id).status == "active"
    assert share_row(visible.share_id).status == "active"
    assert "Partner memo" not in sharing.export_csv(world.dana)
    for client in (world.ana, world.hank):
        with pytest.raises(Forbidden):
            sharing.list_shares(client)
        with pytest.raises(Forbidden):
            sharing.create_link(client, "web", "page", room.id)


def test_a_browser_signed_in_as_someone_who_cant_see_the_page_is_asked_to_sign_out(
    world, room, session_for
):
    link = sharing.create_link(world.dana, "web", "page", room.id)
    hank = session_for(world.hank)  # Globex: the page is Northwind's
    answer = http("GET", f"/s/{token_of(link)}", cookie=hank)
    assert answer.status_code == 409
    assert "hank@globex.example" in answer.text and "/sign-out" in answer.text
    assert sessions.COOKIE_NAME not in answer.cookies, "never a second identity"
    ana = session_for(world.ana)
    assert http("GET", f"/s/{token_of(link)}", cookie=ana).headers["location"] == (
        f"/pages/{room.slug}"
    )


def test_a_secured_link_is_a_convenience_not_a_grant(world, room, session_for):
    link = sharing.create_link(world.dana, "secured", "page", room.id)
    anonymous = http("GET", f"/s/{token_of(link)}")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=/pages/")
    assert sessions.COOKIE_NAME not in anonymous.cookies
    # Signed in as someone without access: the page itself refuses them.
    opened = sharing.open_link(token_of(link), ip="192.0.2.1", signed_in=world.hank)
    assert isinstance(opened, sharing.Opened) and not opened.guest_token
    from portal_app.services import pages

    with pytest.raises(NotFound):
        pages.view_page(world.hank, room.slug)


def test_removed_deactivated_and_regenerated_links_are_no_longer_available(world, room):
    links = [sharing.create_link(world.dana, "web", "page", room.id) for _ in range(3)]
    sharing.set_status(world.dana, [links[0].share_id], "deactivated")
    sharing.set_status(world.dana, [links[1].share_id], "removed")
    renewed = sharing.regenerate_link(world.dana, links[2].share_id)
    for old in links:
        answer = http("GET", f"/s/{token_of(old)}", ip=f"192.0.2.{old.share_id}")
        assert answer.status_code == 404
        assert "This link is no longer available" in answer.text
    assert http("GET", f"/s/{token_of(renewed)}").status_code == 303
    assert links[1].share_id not in {row.id for row in sharing.list_shares(world.admin)}


def test_the_csv_export_cannot_run_formulas(world, room):
    sharing.invite_guests(world.dana, room.id, "=HYPERLINK(1) <evil@outside.example>")
    sharing.invite_guests(world.dana, room.id, "+cmd|calc <plus@outside.example>")
    text = sharing.export_csv(world.dana)
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert cell.lstrip('"')[:1] not in ("=", "+", "-", "@"), line


def test_guest_session_rows_hold_only_hashes(world, room, database):
    link = sharing.create_link(world.dana, "web", "page", room.id)
    opened = sharing.open_link(token_of(link), ip="192.0.2.1")
    assert isinstance(opened, sharing.Opened)
    raw = opened.guest_token.removeprefix(sharing.GUEST_COOKIE_PREFIX)
    assert raw not in database.dump()
    (row,) = database.rows(ShareSession)
    assert row.token_hash == sharing.token_hash(raw)
    assert database.rows(LoginAttempt) == [] or all(
        raw not in r.key for r in database.rows(LoginAttempt)
    )
