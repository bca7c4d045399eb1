"""Hostile text everywhere people type it, at the service level: comments, form answers,
file names, page titles, person and organization names, invitation messages and
e-mail addresses.

Each hostile string is either stored in a form that is safe to store and show (no
control characters, no invisible formatting that makes a name read as something else,
no NUL or lone surrogate that a database or mail server refuses; markup kept as the
literal text it is, which every screen shows as text) or refused with a clear
``Invalid``. Never another exception. Rich-text sanitizing has its own attacks in
test_widget_content.py; the browser shows a few of these in
tests/e2e/test_hostile_text_in_the_browser.py. Every case goes to the ledger (suite
"hostile-input").
"""

from __future__ import annotations

import asyncio
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from starlette.applications import Starlette

from portal_app.api import auth as auth_routes
from portal_app.errors import Invalid
from portal_app.services import files, organizations, pages, people
from portal_app.services.text import clean_line, clean_text, decode_safe
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.form import actions as forms
from tests.support import ledger
from tests.support.pages import build_page

SUITE = "hostile-input"
PDF = b"%PDF-1.7\n" + b"0" * 100

HOSTILE = {
    "script tag": "<script>alert(document.cookie)</script>",
    "event handler": '<img src=x onerror="alert(1)">',
    "javascript url": "javascript:alert(1)",
    "svg with script": "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "css injection": '</style><style>body{display:none}</style><p style="x:expression(1)">',
    "NUL": "Acme\x00Corp",
    "bidi override": "Invoice \u202egpj.exe",
    "bidi isolate": "Ana \u2066admin\u2069",
    "zero width": "Ad\u200bmin\ufeff",
    "control characters": "bell\x07 escape\x1b[31m",
    "lone surrogate": "broken \ud800 text",
    "1 MB": "x" * 1_000_000,
}
# What no stored text may contain, whatever came in.
FORBIDDEN_CATEGORIES = ("Cc", "Cs")
INVISIBLE = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f\ufeff")


def safe_to_store(value: str, *, lines: bool = False) -> bool:
    allowed = {"\n", "\t"} if lines else set()
    return (
        all(unicodedata.category(ch) not in FORBIDDEN_CATEGORIES or ch in allowed for ch in value)
        and not INVISIBLE & set(value)
        and value.encode("utf-8") is not None
    )


@pytest.fixture
def room(world):
    return build_page(
        world.admin,
        "Hostile room",
        [
            ("discussion", None),
            (
                "form",
                {
                    "fields": [
                        {"id": "note", "label": "Note"},
                        {"id": "story", "label": "Story", "kind": "long_text"},
                    ]
                },
            ),
            ("attachments", None),
        ],
        organizations={world.northwind_id: "contribute"},
    )


def _entry_points(world, room):
    """(name, store it, read back what others are shown, is it multi-line)."""
    widget = room.widget

    def comment(value):
        discussion.post_comment(world.ana, room.id, widget("discussion"), value)
        return discussion.list_comments(world.dana, room.id, widget("discussion"))[-1].body

    def form_answer(value):
        forms.submit_form(world.ana, room.id, widget("form"), {"note": value, "story": value})
        [row] = forms.list_submissions(world.dana, room.id, widget("form"))[:1]
        return "\n".join(v.text for v in row.values)

    def file_name(value):
        files.save_upload(world.dana, room.id, widget("attachments"), value + ".pdf", [PDF], "")
        return files.list_files(world.ana, room.id, widget("attachments"))[0].name

    def page_title(value):
        draft = pages.create_page(world.admin, value)
        return draft.title

    def page_rename(value):
        draft = pages.create_page(world.admin, "Renamed later")
        renamed = pages.update_page_settings(
            world.admin, draft.id, draft.revision, value, draft.slug, draft.icon
        )
        return renamed.title

    def display_name(value):
        people.update_own_name(world.thomas, value)
        cards = people.list_directory(world.ana, "")
        return next(c.name for c in cards if c.email == "thomas@northwind.example")

    counter = iter(range(10_000))

    def organization_name(value):
        row = organizations.create_organization(world.admin, f"{value} {next(counter)}")
        return row.name

    def invitation_message(value):
        row = people.invite(
            world.admin, f"new{next(counter)}@acme.example", "limited", world.northwind_id, value
        )
        return row.email  # the message goes by mail (checked below in its own test)

    return [
        ("comment", comment, True),
        ("form answer", form_answer, True),
        ("file name", file_name, False),
        ("page title", page_title, False),
        ("page rename", page_rename, False),
        ("display name", display_name, False),
        ("organization name", organization_name, False),
        ("invitation message", invitation_message, True),
    ]


@pytest.mark.parametrize("label", list(HOSTILE))
def test_hostile_text_is_stored_safely_or_refused_clearly(world, room, label):
    value = HOSTILE[label]
    problems = []
    for where, store, lines in _entry_points(world, room):
        operation = f"{where}: {label}"
        try:
            shown = store(value)
        except Invalid as refused:
            assert str(refused), operation
            ledger.record(SUITE, outcome=ledger.REFUSED, operation=operation, actor="various")
            continue
        except Exception as error:  # noqa: BLE001  (named in the failure below)
            ledger.record(
                SUITE,
                outcome=ledger.SERVER_ERROR,
                operation=operation,
                detail=f"{type(error).__name__}: {error}"[:300],
            )
            problems.append(f"{operation} raised {type(error).__name__}: {str(error)[:200]}")
            continue
        if not safe_to_store(shown, lines=lines):
            problems.append(f"{operation} kept {shown[:80]!r}")
            ledger.record(SUITE, outcome=ledger.SERVER_ERROR, operation=operation, detail=shown)
            continue
        ledger.record(SUITE, outcome=ledger.INERT, operation=operation, actor="various")
    assert problems == []


def test_markup_in_plain_text_is_kept_as_the_text_it_is(world, room):
    """Names, titles, comments and answers are plain text: markup is stored as typed
    (every screen renders it as text; the browser test proves that), never half-removed
    into something else."""
    typed = HOSTILE["svg with script"]
    assert pages.create_page(world.admin, typed).title == typed
    body = discussion.post_comment(world.ana, room.id, room.widget("discussion"), typed).body
    assert body == typed


def test_bidi_and_zero_width_tricks_read_as_what_they_are(world, room):
    assert pages.create_page(world.admin, HOSTILE["bidi override"]).title == "Invoice gpj.exe"
    assert people.update_own_name(world.thomas, HOSTILE["zero width"]) == "Admin"
    assert people.update_own_name(world.thomas, HOSTILE["bidi isolate"]) == "Ana admin"
    # Joiners that real writing needs stay: a family emoji, Persian with a ZWNJ.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert people.update_own_name(world.thomas, f"Tom {family}") == f"Tom {family}"
    assert clean_line("می\u200cخواهم") == "می\u200cخواهم"


def test_invitation_message_reaches_the_mail_without_invisible_characters(world, smtp_inbox):
    row = people.invite(
        world.admin,
        "mailcheck@acme.example",
        "limited",
        world.northwind_id,
        "Welcome\u202e!\x00 Line two\r\nthree",
    )
    assert row.email == "mailcheck@acme.example"
    [mail] = smtp_inbox.to("mailcheck@acme.example")
    text = mail.get_content().replace("\r\n", "\n")
    assert "\u202e" not in text and "\x00" not in text
    assert "Welcome! Line two\nthree" in text


@pytest.mark.parametrize(
    "email",
    [
        "ana\x00@acme.example",
        "ana@acme.example\r\nBcc: all@acme.example",
        "ana\u202e@acme.example",
        "an\u200ba@acme.example",
        "ana@acme.example\ud800",
        "<script>@acme.example",
    ],
)
def test_invitations_refuse_addresses_with_hidden_characters(world, email):
    with pytest.raises(Invalid) as refused:
        people.invite(world.admin, email, "limited", world.northwind_id)
    assert "e-mail" in str(refused.value).lower()
    ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"invite {email!r}", actor="admin")


def test_decoding_safely_replaces_what_is_not_text():
    assert decode_safe({"a\ud800": ["x\x00y", {"k": "\udfff"}], "n": 5}) == {
        "a\ufffd": ["xy", {"k": "\ufffd"}],
        "n": 5,
    }
    deep: object = "leaf"
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper"):
        decode_safe(deep)
    assert clean_text("one\r\ntwo\rthree\t\u202e!") == "one\ntwo\nthree\t!"


# --- the same strings through the sign-in routes' JSON ------------------------------------


def _post(path: str, body: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=Starlette(routes=auth_routes.routes))

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
            return await c.post(path, content=body, headers={"content-type": "application/json"})

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, send()).result()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/login", b'{"email": "ana\\ud800@northwind.example", "password": "x\\u0000y"}'),
        ("/auth/forgot", b'{"email": "\\udfffana@northwind.example"}'),
        ("/auth/reset", b'{"token": "\\ud800", "password": "\\ud800\\ud800"}'),
        ("/auth/invitation", b'{"token": "a\\u0000b", "name": "\\ud800", "password": "x"}'),
        ("/auth/login", b'{"email": ' + b"[" * 500 + b"]" * 500 + b"}"),
        ("/auth/login", b'{"email": "\xff\xfe"}'),
    ],
)
def test_sign_in_routes_answer_broken_text_clearly(world, path, body):
    """A clear 4xx, or for "forgot" the same 200 as for any address (it never says)."""
    response = _post(path, body)
    assert (
        response.status_code == 200 if path == "/auth/forgot" else 400 <= response.status_code < 500
    )
    assert response.json()["message"]
    ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"POST {path} broken text")


# --- PostgreSQL refuses NUL in text: nothing a person types may reach it with one ------------


def test_hidden_characters_never_reach_postgresql(portal_db, postgres_url, monkeypatch):
    from portal_app import cli, config
    from portal_app.access import actor_for
    from portal_app.db import session_scope
    from portal_app.models import User

    monkeypatch.setenv("PORTAL_DATABASE_URL", postgres_url)
    config.reload_settings()
    cli.migrate()
    admin_id = people.create_admin("pg-admin@firm.example", "a long enough password 1", "Pat")
    with session_scope() as session:
        admin = actor_for(session.get(User, admin_id))
    nul = "Acme\x00 \ud800Corp\u202e"
    assert pages.create_page(admin, nul).title == "Acme Corp"
    assert organizations.create_organization(admin, nul).name == "Acme Corp"
    assert people.update_own_name(admin, nul) == "Acme Corp"
    for case in ("page title", "organization name", "display name"):
        ledger.record(SUITE, outcome=ledger.INERT, operation=f"postgresql: NUL in {case}")
