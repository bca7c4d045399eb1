"""Every kind of actor through every access function, over things of both organizations
(in the style of Zulip's ``AccessStreamTest``).

The expectations are a table written from the product's rules, not from the code:
who may view, contribute to and edit each page of the world. Each access function is
then asked about each page for each actor, and "missing" and "not yours" must look
exactly the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from portal_app import access
from portal_app.access import Actor
from portal_app.db import session_scope
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.ids import MAX_ID
from portal_app.models import Page, User
from portal_app.services import drafts, grants, pages
from portal_app.widgets.discussion import actions as discussion
from tests.support.pages import build_page

ACTORS = ["admin", "dana", "sam", "ana", "thomas", "hank", "mindy", "guest", "nobody"]


@dataclass
class AccessWorld:
    actors: dict[str, Actor]
    pages: dict[str, int]
    widgets: dict[str, str]


@pytest.fixture
def access_world(world) -> AccessWorld:
    admin = world.admin
    home = build_page(admin, "Welcome", [("discussion", None)])
    pages.set_home(admin, home.id)
    northwind = build_page(
        admin, "Northwind plan", [("discussion", None)], organizations={world.northwind_id: "view"}
    )
    globex = build_page(
        admin,
        "Globex plan",
        [("discussion", None)],
        organizations={world.globex_id: "contribute"},
    )
    shared = build_page(
        admin,
        "Shared room",
        [("discussion", None)],
        organizations={world.northwind_id: "contribute", world.globex_id: "view"},
    )
    only_thomas = build_page(
        admin, "For Thomas", [("discussion", None)], people={world.thomas.user_id: "contribute"}
    )
    draft = build_page(
        admin,
        "Unpublished",
        [("discussion", None)],
        organizations={world.northwind_id: "view"},
        publish=False,
    )
    restricted = build_page(admin, "Partners only", [("discussion", None)])
    grants.set_permissions(admin, restricted.id, "restricted", [world.dana.user_id], [])
    archived = build_page(
        admin, "Old news", [("discussion", None)], organizations={world.northwind_id: "view"}
    )
    pages.archive_page(admin, archived.id)
    built = {
        "home": home,
        "northwind": northwind,
        "globex": globex,
        "shared": shared,
        "only_thomas": only_thomas,
        "draft": draft,
        "restricted": restricted,
        "archived": archived,
    }
    actors = {name: getattr(world, name) for name in ACTORS[:7]}
    actors["guest"] = Actor(
        user_id=0,
        role="guest",
        organization_id=None,
        email="guest@outside.example",
        display_name="A guest",
        scope=("page", shared.id),
    )
    actors["nobody"] = access.member_no_one_is(None, "Client of no organization")
    return AccessWorld(
        actors=actors,
        pages={k: v.id for k, v in built.items()},
        widgets={k: v.widget("discussion") for k, v in built.items()},
    )


# Who may VIEW each page ("v"), also CONTRIBUTE ("c"), also EDIT ("e"); "-" = nothing.
#               admin dana sam  ana thomas hank mindy guest nobody
EXPECTED = {
    "home":        ["e", "e", "e", "v", "v", "v", "v", "-", "v"],
    "northwind":   ["e", "e", "e", "v", "v", "-", "-", "-", "-"],
    "globex":      ["e", "e", "e", "-", "-", "c", "c", "-", "-"],
    "shared":      ["e", "e", "e", "c", "c", "v", "v", "v", "-"],
    "only_thomas": ["e", "e", "e", "-", "c", "-", "-", "-", "-"],
    "draft":       ["e", "e", "e", "-", "-", "-", "-", "-", "-"],
    "restricted":  ["e", "e", "-", "-", "-", "-", "-", "-", "-"],
    "archived":    ["-", "-", "-", "-", "-", "-", "-", "-", "-"],
}  # fmt: skip


def expected(page: str, actor: str) -> str:
    return EXPECTED[page][ACTORS.index(actor)]


def _outcome(call) -> str:
    try:
        call()
    except NotFound as error:
        return f"NotFound: {error}"
    except Forbidden:
        return "Forbidden"
    except Invalid as error:
        return f"Invalid: {error}"
    return "ok"


CASES = [(actor, page) for actor in ACTORS for page in EXPECTED]


def _every_case(check) -> None:
    """Run ``check(actor, page)`` for every actor and page (one world built); report
    every case that went wrong at once."""
    wrong = []
    for actor, page in CASES:
        try:
            check(actor, page)
        except AssertionError as error:
            wrong.append(f"{actor} on {page}: {error}")
    assert not wrong, "\n".join(wrong)


def test_access_page_for_every_actor_and_page(access_world):
    _every_case(lambda actor, page: _check_access_page(access_world, actor, page))


def _check_access_page(access_world, actor, page):
    who, page_id = access_world.actors[actor], access_world.pages[page]
    want = expected(page, actor)
    with session_scope() as session:
        view = _outcome(lambda: access.access_page(session, who, page_id, access.VIEW))
        contribute = _outcome(lambda: access.access_page(session, who, page_id, access.CONTRIBUTE))
        edit = _outcome(lambda: access.access_page(session, who, page_id, access.EDIT))
        slug = session.get(Page, page_id).slug
        by_slug = _outcome(lambda: access.access_page_by_slug(session, who, slug))
    hidden = f"NotFound: {access.PAGE_NOT_FOUND}"
    assert view == by_slug == ("ok" if want != "-" else hidden)
    assert contribute == {"-": hidden, "v": "Forbidden"}.get(want, "ok")
    assert edit == ("ok" if want == "e" else hidden)


def test_access_widget_for_every_actor_and_page(access_world):
    _every_case(lambda actor, page: _check_access_widget(access_world, actor, page))


def _check_access_widget(access_world, actor, page):
    who, page_id = access_world.actors[actor], access_world.pages[page]
    widget_id = access_world.widgets[page]
    want = expected(page, actor)
    with session_scope() as session:
        found = _outcome(lambda: access.access_widget(session, who, page_id, widget_id))
        typed = _outcome(
            lambda: access.access_widget(session, who, page_id, widget_id, type_name="form")
        )
        contribute = _outcome(
            lambda: access.access_widget(session, who, page_id, widget_id, access.CONTRIBUTE)
        )
        # Another page's widget id on this page: never found, whoever asks.
        other = access_world.widgets["home" if page != "home" else "shared"]
        foreign = _outcome(lambda: access.access_widget(session, who, page_id, other))
    hidden = f"NotFound: {access.PAGE_NOT_FOUND}"
    if want == "-":
        assert found == typed == contribute == foreign == hidden
        return
    # A draft-only widget is there for staff (they work on drafts), not for readers.
    assert found == "ok"
    assert typed.startswith("Invalid") and foreign.startswith("Invalid")
    assert contribute == ("Forbidden" if want == "v" else "ok")


def test_missing_and_forbidden_pages_look_the_same(access_world):
    for actor in ACTORS:
        _check_missing_like_forbidden(access_world, actor)


def _check_missing_like_forbidden(access_world, actor):
    who = access_world.actors[actor]
    with session_scope() as session:
        answers = {
            _outcome(lambda pid=pid: access.access_page(session, who, pid))
            for pid in (MAX_ID, 999_999, access_world.pages["archived"])
        }
        answers |= {
            _outcome(lambda raw=raw: access.access_page(session, who, raw))
            for raw in (None, "", "1 OR 1=1", -1, 0, True, [1], {"id": 1}, "9" * 40)
        }
    assert answers == {f"NotFound: {access.PAGE_NOT_FOUND}"}, actor


def test_bulk_readers_give_the_same_answer_as_each_reader(access_world):
    """``page_readers`` (one query, for notifications) and ``visible_pages_filter`` (one
    actor, for pages and search) are the same rule."""
    for page in EXPECTED:
        _check_bulk_readers(access_world, page)


def _check_bulk_readers(access_world, page):
    people = {name: a for name, a in access_world.actors.items() if a.user_id}
    with session_scope() as session:
        readers = {
            u.id
            for u in access.page_readers(
                session, access_world.pages[page], {a.user_id for a in people.values()}
            )
        }
    wanted = {a.user_id for name, a in people.items() if expected(page, name) != "-"}
    assert readers == wanted, page


def test_a_deactivated_person_reads_nothing(access_world):
    with session_scope() as session:
        user = session.get(User, access_world.actors["ana"].user_id)
        user.active = False
        session.add(user)
    with session_scope() as session:
        assert access.page_readers(session, access_world.pages["home"], {user.id}) == []


def test_who_reads_a_comment_is_the_pages_rule(access_world):
    """Comments on the shared page by each organization and staff, in threads started by
    each: ``reads_comment`` (mail) says exactly what ``list_comments`` (page) shows."""
    actors, page_id = access_world.actors, access_world.pages["shared"]
    widget_id = access_world.widgets["shared"]
    writers = {"dana": actors["dana"], "ana": actors["ana"], "thomas": actors["thomas"]}
    roots = {
        name: discussion.post_comment(who, page_id, widget_id, f"root by {name}")
        for name, who in writers.items()
    }
    for root_name, root in roots.items():
        for name, who in writers.items():
            discussion.post_comment(who, page_id, widget_id, f"{name} in {root_name}", root.id)
    for reader in ACTORS[:7]:
        _check_comment_readers(actors[reader], reader, page_id, widget_id, writers)


def _check_comment_readers(me, reader, page_id, widget_id, writers):
    if expected("shared", reader) == "-":
        return
    shown = set()
    for row in discussion.list_comments(me, page_id, widget_id):
        shown.add(row.body)
        shown |= {reply.body for reply in row.replies}
    with session_scope() as session:
        users = {name: session.get(User, who.user_id) for name, who in writers.items()}
    expected_text = {
        f"root by {root}" for root in writers if access.reads_comment(me, users[root], users[root])
    } | {
        f"{name} in {root}"
        for root in writers
        for name in writers
        if access.reads_comment(me, users[name], users[root])
    }
    assert shown == expected_text, reader
    if me.organization_id is not None and me.role == "limited" and reader in ("hank", "mindy"):
        assert shown == {"root by dana", "dana in dana"}  # Globex reads only staff here


def test_drafts_are_only_for_those_who_edit(access_world):
    for name, who in access_world.actors.items():
        outcome = _outcome(lambda who=who: drafts.get_draft(who, access_world.pages["shared"]))
        assert (outcome == "ok") == (expected("shared", name) == "e"), name


# --- documents: who opens which folder and document --------------------------------------
# "o" = opens it; "-" = the same NotFound as a folder that doesn't exist.
#                         admin dana sam  ana thomas hank mindy guest nobody
DOCUMENTS_EXPECTED = {
    "northwind/shared":   ["o", "o", "o", "o", "o", "-", "-", "-", "-"],
    "northwind/internal": ["o", "o", "o", "-", "-", "-", "-", "-", "-"],
    "northwind/received": ["o", "o", "o", "-", "-", "-", "-", "-", "-"],
    "globex/shared":      ["o", "o", "o", "-", "-", "o", "o", "-", "-"],
    "globex/internal":    ["o", "o", "o", "-", "-", "-", "-", "-", "-"],
    "trashed":            ["-", "-", "-", "-", "-", "-", "-", "-", "-"],
}  # fmt: skip


def test_folders_and_documents_for_every_actor(access_world, world):
    from portal_app.models import Document
    from portal_app.services import documents
    from portal_app.storage import get_storage

    admin = world.admin
    places: dict[str, tuple[int, int]] = {}
    for org_name, org_id in (("northwind", world.northwind_id), ("globex", world.globex_id)):
        for area in documents.open_space(admin, org_id).areas:
            if org_name == "globex" and area.area == "received":
                continue
            blob = get_storage().save(iter([b"%PDF-1.7\n0"]), max_bytes=100)
            made = documents.accept_upload(
                admin,
                {"kind": "folder", "folder": area.id},
                f"{org_name}-{area.area}.pdf",
                blob,
                "application/pdf",
            )
            places[f"{org_name}/{area.area}"] = (area.id, made["file"]["id"])
    folder = documents.create_folder(admin, places["northwind/shared"][0], "Old")
    blob = get_storage().save(iter([b"%PDF-1.7\n1"]), max_bytes=100)
    trashed = documents.accept_upload(
        admin, {"kind": "folder", "folder": folder.id}, "old.pdf", blob, "application/pdf"
    )
    documents.delete_folder(admin, folder.id)
    places["trashed"] = (folder.id, trashed["file"]["id"])
    wrong = []
    for place, answers in DOCUMENTS_EXPECTED.items():
        folder_id, document_id = places[place]
        for actor, want in zip(ACTORS, answers, strict=True):
            who = access_world.actors[actor]
            with session_scope() as session:
                got_folder = _outcome(lambda: access.access_folder(session, who, folder_id))
                got_document = _outcome(lambda: access.access_document(session, who, document_id))
                missing = _outcome(lambda: access.access_folder(session, who, MAX_ID))
                listed = session.exec(
                    select(Document.id).where(
                        Document.id == document_id, access.visible_documents_filter(who)
                    )
                ).all()
            opens = "ok" if want == "o" else f"NotFound: {access.FOLDER_NOT_FOUND}"
            if got_folder != opens or (want == "-" and got_folder != missing):
                wrong.append(f"{actor} on folder {place}: {got_folder}")
            document_opens = "ok" if want == "o" else f"NotFound: {access.DOCUMENT_NOT_FOUND}"
            if got_document != document_opens:
                wrong.append(f"{actor} on document {place}: {got_document}")
            if bool(listed) != (want == "o"):
                wrong.append(f"{actor}: the filter disagrees on {place}")
    assert not wrong, "\n".join(wrong)
