"""Attacks on widget content: stored scripts in rich text and links, and one client
reaching for another organization's comments, submissions and files."""

from __future__ import annotations

import pytest

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.services import drafts, files, pages
from portal_app.services.html import sanitize_html
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.form import actions as forms
from tests.support.pages import build_page, revision
from tests.unit.expect import refuses_all

PDF = b"%PDF-1.7\n" + b"0" * 100


def stored_html(world, html: str) -> str:
    page = build_page(
        world.admin,
        "Rich",
        [("rich_text", {"html": html})],
        organizations={world.northwind_id: "view"},
    )
    [widget] = pages.view_page(world.ana, page.slug).sections[0].columns[0].widgets
    return widget.config["html"]


# --- stored scripts ---------------------------------------------------------------------

ATTACKS = [
    "<p>hi</p><script>alert(document.cookie)</script>",
    "<img src=/files/1 onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java&#x73;cript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="https://tracker.example/pixel.gif">',
    '<img src="//tracker.example/pixel.gif">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="x">',
    '<style>body{display:none}</style><p style="background:url(javascript:alert(1))">x</p>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<p onclick="alert(1)" onmouseover="alert(2)">text</p>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://ok.example" target="_blank">ok</a>',
]


@pytest.mark.parametrize("html", ATTACKS)
def test_stored_rich_text_never_keeps_scripts_or_outside_content(world, html):
    stored = stored_html(world, html).lower()
    for marker in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "onmouseover",
        "javascript:",
        "vbscript:",
        "data:",
        "tracker.example",
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<style",
        "style=",
        "<form",
        "<input",
        "<meta",
        "<base",
        "xlink:href",
    ):
        assert marker not in stored, (marker, stored)


def test_safe_formatting_survives_sanitizing(world):
    html = (
        '<h2>Plan</h2><p><strong>Bold</strong> and <a href="https://ok.example">a link</a></p>'
        '<ul><li>One</li></ul><img src="/files/12" alt="Chart">'
    )
    stored = stored_html(world, html)
    assert "<h2>Plan</h2>" in stored and "<strong>Bold</strong>" in stored
    assert 'href="https://ok.example"' in stored and 'rel="noopener noreferrer nofollow"' in stored
    assert '<img src="/files/12" alt="Chart">' in stored


def test_scripts_in_an_edit_are_sanitized_too(world):
    page = build_page(
        world.admin, "Edited", [("rich_text", None)], organizations={world.northwind_id: "view"}
    )
    wid = page.widget("rich_text")
    draft = drafts.edit_draft(
        world.admin,
        page.id,
        revision(world.admin, page.id),
        "update_widget",
        {"widget_id": wid, "config": {"html": "<p>ok</p><script>steal()</script>"}},
    )
    [widget] = draft.sections[0].columns[0].widgets
    assert widget.config["html"] == "<p>ok</p>"
    # An undo snapshot forged by the browser goes through the same sanitizer.
    deleted = drafts.edit_draft(
        world.admin, page.id, draft.revision, "delete_widget", {"widget_id": wid}
    )
    forged = {**deleted.undo, "config": {"html": "<img src=x onerror=alert(1)>"}}
    restored = drafts.edit_draft(
        world.admin, page.id, deleted.revision, "restore_widget", {"snapshot": forged}
    )
    [widget] = restored.sections[0].columns[0].widgets
    assert "onerror" not in widget.config["html"]


def test_sanitizer_directly_on_tricky_inputs():
    assert sanitize_html("<p>a</p>" * 5) == "<p>a</p>" * 5
    assert "<script" not in sanitize_html("<p>" + "<script>x</script>" * 1000 + "</p>")
    assert (
        sanitize_html('<img src="/files/1/../../../evil">') == '<img src="/files/1/../../../evil">'
    )


def test_links_and_videos_take_only_web_addresses(world):
    page = build_page(world.admin, "Links", [("links", None), ("media", None)])
    links_id, media_id = page.widget("links"), page.widget("media")

    def set_config(widget_id, config):
        drafts.edit_draft(
            world.admin,
            page.id,
            revision(world.admin, page.id),
            "update_widget",
            {"widget_id": widget_id, "config": config},
        )

    refuses_all(
        Invalid,
        lambda url: set_config(links_id, {"items": [{"label": "x", "url": url}]}),
        [
            "javascript:alert(1)",
            " javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
        ],
    )
    refuses_all(
        Invalid,
        lambda url: set_config(media_id, {"kind": "video", "video_url": url}),
        [
            "javascript:alert(1)",
            "https://evil.example/embed/abcdef",
            "https://youtube.com.evil.example/watch?v=abcdefg",
        ],
    )


# --- one client reaching for another organization's content ----------------------------------


@pytest.fixture
def shared(world):
    """One page shared with both organizations, contribute: a discussion, a form and files."""
    return build_page(
        world.admin,
        "Shared",
        [
            ("discussion", None),
            (
                "form",
                {
                    "fields": [
                        {"id": "doc", "label": "Doc", "kind": "file"},
                        {"id": "note", "label": "Note"},
                    ]
                },
            ),
            ("attachments", None),
        ],
        organizations={world.northwind_id: "contribute", world.globex_id: "contribute"},
    )


@pytest.fixture
def northwind_only(world):
    return build_page(
        world.admin,
        "Northwind room",
        [
            ("discussion", None),
            ("form", {"fields": [{"id": "doc", "label": "Doc", "kind": "file"}]}),
            ("attachments", None),
        ],
        organizations={world.northwind_id: "contribute"},
    )


def test_another_organizations_comments_stay_out_of_reach(world, shared, northwind_only):
    own = discussion.post_comment(
        world.ana, northwind_only.id, northwind_only.widget("discussion"), "Our budget: 1M"
    )
    on_shared = discussion.post_comment(
        world.ana, shared.id, shared.widget("discussion"), "Northwind secret"
    )
    with pytest.raises(NotFound):
        discussion.list_comments(world.hank, northwind_only.id, northwind_only.widget("discussion"))
    assert discussion.list_comments(world.hank, shared.id, shared.widget("discussion")) == []
    for comment_id in (own.id, on_shared.id):
        with pytest.raises(NotFound):
            discussion.delete_comment(world.hank, comment_id)
        with pytest.raises(NotFound):
            discussion.edit_comment(world.hank, comment_id, "defaced")
        with pytest.raises(Invalid):
            discussion.post_comment(
                world.hank, shared.id, shared.widget("discussion"), "reply", parent_id=comment_id
            )
    # Pointing a shared page's id at the other page's widget finds nothing either.
    with pytest.raises(Invalid):
        discussion.list_comments(world.hank, shared.id, northwind_only.widget("discussion"))
    assert [
        c.body for c in discussion.list_comments(world.ana, shared.id, shared.widget("discussion"))
    ] == ["Northwind secret"]


def test_another_persons_submissions_stay_out_of_reach(world, shared, northwind_only):
    forms.submit_form(world.ana, shared.id, shared.widget("form"), {"note": "Ana's private note"})
    assert forms.list_submissions(world.hank, shared.id, shared.widget("form")) == []
    assert forms.list_submissions(world.thomas, shared.id, shared.widget("form")) == []
    assert forms.list_submissions(world.hank, shared.id, shared.widget("form"), search="Ana") == []
    with pytest.raises(NotFound):
        forms.list_submissions(world.hank, northwind_only.id, northwind_only.widget("form"))
    for who in (world.hank, world.ana):
        with pytest.raises(Forbidden):
            forms.export_csv(who, shared.id, shared.widget("form"))
        with pytest.raises(Forbidden):
            forms.set_submission_status(who, 1, "Accepted")


def test_another_organizations_files_stay_out_of_reach(world, shared, northwind_only):
    attachment = files.save_upload(
        world.dana, northwind_only.id, northwind_only.widget("attachments"), "nw.pdf", [PDF], ""
    )
    form_file = files.save_upload(
        world.ana, shared.id, shared.widget("form"), "passport.pdf", [PDF], ""
    )
    for file_id in (attachment.id, form_file.id):
        with pytest.raises(NotFound):
            files.open_for_download(world.hank, file_id)
        with pytest.raises(NotFound):
            files.delete_file(world.hank, file_id)
    assert files.list_files(world.hank, shared.id, shared.widget("form")) == []
    # Hank can't attach Ana's file to his own submission by guessing its id.
    with pytest.raises(Invalid):
        forms.submit_form(world.hank, shared.id, shared.widget("form"), {"doc": form_file.id})
    # Nor upload into the other organization's page.
    with pytest.raises(NotFound):
        files.save_upload(
            world.hank, northwind_only.id, northwind_only.widget("form"), "x.pdf", [PDF], ""
        )
    assert files.open_for_download(world.dana, form_file.id)[0].filename == "passport.pdf"
