from portal_app.services import sessions, sharing
from tests.support.pages import build_page


def test_smoke(world):
    page = build_page(world.admin, "Room", [("discussion", None)])
    link = sharing.create_link(world.dana, "web", "page", page.id)
    token = link.url.rsplit("/", 1)[1]
    opened = sharing.open_link(token, ip="1.2.3.4")
    assert opened.path == f"/pages/{page.slug}" and opened.guest_token
    guest = sessions.resolve(opened.guest_token)
    assert guest is not None and guest.is_guest and guest.scope == ("page", page.id)
    assert (
        sharing.invite_guests(world.dana, page.id, "Gus <gus@outside.example>", contribute=True)
        == 1
    )
    rows = sharing.list_shares(world.dana)
    assert len(rows) == 2
    print(rows)
    print(sharing.export_csv(world.admin, {"kind": "guest"}))
    sharing.set_status(world.dana, [rows[0].id], "deactivated")
    assert sharing.list_shares(world.dana, {"status": "deactivated"})[0].id == rows[0].id
