"""The isolation suites' fixture world: two client organizations with everything a
client can own, a page shared with both, staff with and without access, an admin.

``build_tenant_world()`` writes it through the portal's own services into whatever
database the process is configured for (the unit tests' fresh SQLite, or the browser
tests' server database), so the same world serves the in-process matrix and the wire
matrix. Each capability added later puts its things here too (documents, dropsite
uploads, bookings, issues with internal notes, shares) and their distinctive strings
into ``secrets``.

The people:
- ``admin`` — administers the portal.
- ``dana`` — staff, works with Northwind; the only staff member listed on the
  restricted page. ``sam`` — staff, works with Globex; *without* access to it.
- ``ana``, ``thomas`` — Northwind clients. ``hank``, ``mindy`` — Globex clients.
- ``anonymous`` — nobody signed in (``actors["anonymous"]`` is ``None``).

Every string in ``secrets[org]`` is unique to that organization: finding one in
anything the other organization's people receive is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from sqlmodel import select

from portal_app.access import Actor, actor_for
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.models import Organization, OrganizationStaff, Share, ShareSession, User
from portal_app.models.documents import INTERNAL, SHARED
from portal_app.services import documents, files, grants, issues, sharing
from portal_app.services.passwords import hash_password
from portal_app.services.tokens import new_token, token_hash
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.form import actions as forms
from tests.support.pages import BuiltPage, build_page

PASSWORD = "tenant world walnut"  # noqa: S105  (test fixture)
PDF = b"%PDF-1.7\n" + b"0" * 200

NORTHWIND = "northwind"
GLOBEX = "globex"
CLIENTS = {NORTHWIND: ("ana", "thomas"), GLOBEX: ("hank", "mindy")}
GUEST = "guest"
GUEST_NAME, GUEST_EMAIL = "Gail Outsidevisitor", "gail@outside-tenant.example"
GUEST_WORDS = "lighthouse ferry remark"
GUEST_SEES = ("Northwind Quarterly Ledger", "northwind-quarterly-ledger", "northwind-payroll.pdf")
LIBRARY_FOLDER = "Year end"  # the library widget's folder in each room
ACTOR_NAMES = ("admin", "dana", "sam", "ana", "thomas", "hank", "mindy", "anonymous")

_PEOPLE = {
    # key: (display name, e-mail, role, organization key)
    "admin": ("Avery Tenantadmin", "avery.admin@firm.example", "admin", None),
    "dana": ("Dana Stafflisted", "dana.staff@firm.example", "staff", NORTHWIND),
    "sam": ("Sam Staffunlisted", "sam.staff@firm.example", "staff", GLOBEX),
    "ana": ("Ana Northwindclient", "ana@northwind-tenant.example", "limited", NORTHWIND),
    "thomas": ("Thomas Northwindclient", "thomas@northwind-tenant.example", "limited", NORTHWIND),
    "hank": ("Hank Globexclient", "hank@globex-tenant.example", "limited", GLOBEX),
    "mindy": ("Mindy Globexclient", "mindy@globex-tenant.example", "limited", GLOBEX),
}
_ORGANIZATIONS = {NORTHWIND: "Northwind Tenant Traders", GLOBEX: "Globex Tenant Corporation"}


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class TenantWorld:
    actors: dict[str, Actor | None]
    emails: dict[str, str]
    organization_ids: dict[str, int]
    # "northwind_room", "globex_room", "shared" (both organizations, contribute),
    # "staff_restricted" (restricted to dana), "draft" (never published)
    pages: dict[str, BuiltPage]
    comments: dict[str, int] = field(default_factory=dict)  # "northwind", "globex", "shared_*"
    submissions: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    # Per organization key: "document" (shared, two versions), "internal", "trashed";
    # and "<org>_file", "<org>_old_version", "<org>_internal_file" (stored file ids)
    documents: dict[str, int] = field(default_factory=dict)
    # Per organization key: "subfolder" (inside the shared area), "internal" (the
    # internal area's top folder), "library" (the library widget's folder)
    folders: dict[str, int] = field(default_factory=dict)
    # Per organization key: an unfinished dropsite sending by its first client, with one
    # file in it
    batches: dict[str, int] = field(default_factory=dict)
    # Per organization key: an issue reported by its first client (a public staff reply
    # asking the client, an internal note, assigned to staff); "<org>_view": a saved view
    # of the staff member who works with it (dana, sam); "spare_category": a category no
    # issue uses (global: administrators' configuration)
    issues: dict[str, int] = field(default_factory=dict)
    # "northwind", "globex": a web link to that room; "restricted": a secured link to
    # the restricted page; "guest": the guest invitation to Northwind's room
    shares: dict[str, int] = field(default_factory=dict)
    # The outsider invited to Northwind's room (may contribute), and the session cookie
    # value that signs a browser in as them.
    guest: Actor | None = None
    guest_cookie: str = ""
    # organization key -> strings only that organization's people (and staff) may see
    secrets: dict[str, list[str]] = field(default_factory=dict)

    def actor(self, name: str) -> Actor | None:
        return self.actors[name]

    def organization_of(self, name: str) -> str | None:
        return _PEOPLE[name][3] if name in _PEOPLE and _PEOPLE[name][2] == "limited" else None

    def foreign_secrets(self, name: str) -> list[str]:
        """What the person ``name`` must never receive: the other organization's strings
        (for clients), every organization's strings (for the anonymous visitor)."""
        own = self.organization_of(name)
        if name == "anonymous":
            return [s for strings in self.secrets.values() for s in strings]
        if name == GUEST:
            # The guest sees Northwind's room (its title, address and the firm's
            # attachment), the firm's words and their own: nothing any client wrote.
            return [
                s
                for org, strings in self.secrets.items()
                if org != GUEST
                for s in strings
                if s not in GUEST_SEES
            ]
        if own is None:
            return []
        return [s for org, strings in self.secrets.items() if org != own for s in strings]


def _people() -> tuple[dict[str, Actor | None], dict[str, int]]:
    with session_scope() as session:
        org_ids: dict[str, int] = {}
        for key, name in _ORGANIZATIONS.items():
            org = session.exec(select(Organization).where(Organization.name == name)).first()
            if org is None:
                org = Organization(name=name)
                session.add(org)
                session.flush()
            assert org.id is not None
            org_ids[key] = org.id
        users: dict[str, User] = {}
        for key, (name, email, role, org_key) in _PEOPLE.items():
            user = session.exec(select(User).where(User.email == email)).first()
            if user is None:
                user = User(
                    email=email,
                    display_name=name,
                    role=role,
                    organization_id=org_ids[org_key] if role == "limited" and org_key else None,
                    password_hash=_password_hash(),
                )
                session.add(user)
                session.flush()
                if role == "staff" and org_key:
                    session.add(
                        OrganizationStaff(organization_id=org_ids[org_key], user_id=user.id)
                    )
            users[key] = user
        session.flush()
        actors: dict[str, Actor | None] = {key: actor_for(user) for key, user in users.items()}
    actors["anonymous"] = None
    return actors, org_ids


def build_tenant_world() -> TenantWorld:
    """Write the world into the configured database (people are reused if present)."""
    actors, org_ids = _people()
    admin, dana = actors["admin"], actors["dana"]
    assert admin is not None and dana is not None
    nw, gx = org_ids[NORTHWIND], org_ids[GLOBEX]
    contributing = [
        ("discussion", None),
        ("form", _FORM),
        ("attachments", None),
        ("library", {"folder": LIBRARY_FOLDER}),
        ("dropsite", None),
    ]

    world = TenantWorld(
        actors=actors,
        emails={key: spec[1] for key, spec in _PEOPLE.items()},
        organization_ids=org_ids,
        pages={
            "northwind_room": build_page(
                admin, "Northwind Quarterly Ledger", contributing, organizations={nw: "contribute"}
            ),
            "globex_room": build_page(
                admin, "Globex Merger Dossier", contributing, organizations={gx: "contribute"}
            ),
            "shared": build_page(
                admin,
                "Client Onboarding Commons",
                contributing,
                organizations={nw: "contribute", gx: "contribute"},
            ),
            "staff_restricted": build_page(
                admin, "Partner Compensation Memo", [("rich_text", {"html": "<p>memo</p>"})]
            ),
            "draft": build_page(
                admin, "Unreleased Fee Schedule", [("rich_text", None)], publish=False
            ),
        },
    )
    grants.set_permissions(
        admin, world.pages["staff_restricted"].id, "restricted", [dana.user_id], []
    )

    def client(name: str) -> Actor:
        found = actors[name]
        assert found is not None
        return found

    for org, room_key, person, words, file_name in (
        (NORTHWIND, "northwind_room", "ana", "walrus tariff appeal", "northwind-payroll.pdf"),
        (GLOBEX, "globex_room", "hank", "pelican acquisition plan", "globex-merger.pdf"),
    ):
        room = world.pages[room_key]
        shared = world.pages["shared"]
        actor = client(person)
        world.comments[org] = discussion.post_comment(
            actor, room.id, room.widget("discussion"), f"Our {words}"
        ).id
        world.comments[f"shared_{org}"] = discussion.post_comment(
            actor, shared.id, shared.widget("discussion"), f"Shared note on the {words}"
        ).id
        world.submissions[org] = forms.submit_form(
            actor, room.id, room.widget("form"), {"note": f"Submitted {words}"}
        ).id
        world.submissions[f"shared_{org}"] = forms.submit_form(
            actor, shared.id, shared.widget("form"), {"note": f"Shared answer: {words}"}
        ).id
        # Attachments are the firm's to add; the form takes the client's own files.
        world.files[org] = files.save_upload(
            admin, room.id, room.widget("attachments"), file_name, [PDF], ""
        ).id
        world.files[f"{org}_form"] = files.save_upload(
            actor, room.id, room.widget("form"), f"signed-{file_name}", [PDF], ""
        ).id
        world.files[f"shared_{org}"] = files.save_upload(
            actor, shared.id, shared.widget("form"), f"shared-{file_name}", [PDF], ""
        ).id
        clients = CLIENTS[org]
        world.secrets[org] = [
            _ORGANIZATIONS[org],
            room.slug,
            words,
            file_name,
            *(_PEOPLE[c][0] for c in clients),
            *(_PEOPLE[c][1] for c in clients),
        ]
    _documents(world)
    _issues(world)
    _share(world)
    world.secrets[NORTHWIND].append("Northwind Quarterly Ledger")
    world.secrets[GLOBEX].append("Globex Merger Dossier")
    # Staff-only titles: no client of either organization may see these.
    for org in (NORTHWIND, GLOBEX):
        world.secrets[org] += ["Partner Compensation Memo", "Unreleased Fee Schedule"]
    return world


def _stored(data: bytes = PDF):
    from portal_app.storage import get_storage

    return get_storage().save(iter([data]), max_bytes=10**7)


def _put(actor: Actor, destination: dict, name: str, data: bytes = PDF) -> dict:
    documents.plan_upload(actor, destination, name, len(data))
    return documents.accept_upload(actor, destination, name, _stored(data), "application/pdf")[
        "file"
    ]


def _documents(world: TenantWorld) -> None:
    """Each organization's document space: a shared document with two versions in a
    subfolder, an internal (staff-only) document, one in the trash, and an unfinished
    dropsite sending by its first client. The staff-only names go into both
    organizations' secrets: no client may receive them."""
    admin = world.actors["admin"]
    assert admin is not None
    for org, sender in ((NORTHWIND, "ana"), (GLOBEX, "hank")):
        org_id = world.organization_ids[org]
        areas = {row.area: row for row in documents.open_space(admin, org_id).areas}
        name = f"Correspondence {org}-tenant"
        existing = [f for f in documents.open_space(admin, org_id).folders if f.name == name]
        folder = (
            existing[0].id
            if existing
            else documents.create_folder(admin, areas[SHARED].id, name).id
        )
        into = {"kind": "folder", "folder": folder}
        letter = f"{org}-engagement-letter.pdf"
        first = _put(admin, into, letter, PDF + b"version one")
        second = _put(admin, into, letter, PDF + b"version two")
        world.documents[org] = second["id"]
        versions = documents.list_versions(admin, second["id"])
        world.files[f"{org}_document"] = next(v.file_id for v in versions if v.current)
        world.files[f"{org}_old_version"] = next(v.file_id for v in versions if not v.current)
        assert first["id"] == second["id"]
        internal = {"kind": "folder", "folder": areas[INTERNAL].id}
        world.documents[f"{org}_internal"] = _put(admin, internal, f"{org}-internal-review.pdf")[
            "id"
        ]
        internal_versions = documents.list_versions(admin, world.documents[f"{org}_internal"])
        world.files[f"{org}_internal"] = internal_versions[0].file_id
        trashed = _put(admin, into, f"{org}-trashed-draft.pdf")["id"]
        documents.delete_document(admin, trashed)
        world.documents[f"{org}_trashed"] = trashed
        world.folders[org] = folder
        world.folders[f"{org}_internal"] = areas[INTERNAL].id
        room = world.pages[f"{'northwind' if org == NORTHWIND else 'globex'}_room"]
        client = world.actors[sender]
        assert client is not None
        library = documents.library_view(
            admin, room.id, room.widget("library"), organization_id=org_id
        )
        assert library is not None
        world.folders[f"{org}_library"] = library.folder.id
        batch = documents.start_batch(
            client, room.id, room.widget("dropsite"), message=f"Dropsite note {org}-tenant"
        )
        _put(client, {"kind": "dropsite", "batch": batch}, f"{org}-dropsite-scan.pdf")
        world.batches[org] = batch
        world.secrets[org] += [f"Dropsite note {org}-tenant", f"{org}-dropsite-scan.pdf"]
        world.secrets[org] += [name, letter]
    for org in (NORTHWIND, GLOBEX):
        for other in (NORTHWIND, GLOBEX):
            world.secrets[org] += [f"{other}-internal-review.pdf", f"{other}-trashed-draft.pdf"]


ISSUE_NOTES = {
    NORTHWIND: "Internal note: quokka fee waiver for Northwind",
    GLOBEX: "Internal note: marmot credit hold for Globex",
}


def _issues(world: TenantWorld) -> None:
    """Each organization's issue, with a public reply and an internal note. Both
    organizations let their clients see every issue of theirs; the internal notes'
    text is in both organizations' secrets: no client may ever read one."""
    admin = world.actors["admin"]
    assert admin is not None
    for org, person, staff, words in (
        (NORTHWIND, "ana", "dana", "heron invoice dispute"),
        (GLOBEX, "hank", "sam", "osprey server outage"),
    ):
        reporter, worker = world.actors[person], world.actors[staff]
        assert reporter is not None and worker is not None
        org_id = world.organization_ids[org]
        issues.set_issue_settings(admin, org_id, True, 14)
        issue = issues.report_issue(reporter, f"Tenant {words}", f"<p>About the {words}</p>")
        issues.assign(admin, issue.id, worker.user_id)
        issues.reply(worker, issue.id, f"<p>Public reply on the {words}</p>", ask_client=True)
        issues.add_internal_note(worker, issue.id, f"<p>{ISSUE_NOTES[org]}</p>")
        world.issues[org] = issue.id
        world.issues[f"{org}_view"] = issues.save_view(
            worker, f"Saved view of {staff}", {"organization": org_id}
        ).id
        world.secrets[org] += [f"Tenant {words}", f"Public reply on the {words}"]
    spare = "Spare tenant category"
    existing = [c.id for c in issues.issue_options(admin).categories if c.label == spare]
    world.issues["spare_category"] = (
        existing[0] if existing else issues.save_option(admin, "category", {"name": spare})
    )
    for org in (NORTHWIND, GLOBEX):
        world.secrets[org] += list(ISSUE_NOTES.values())


def _share(world: TenantWorld) -> None:
    """The shares: a web link to each room, a secured link to the restricted page, and
    a contributing guest on Northwind's room who has written a comment there."""
    admin = world.actors["admin"]
    assert admin is not None
    for org, room_key in ((NORTHWIND, "northwind_room"), (GLOBEX, "globex_room")):
        world.shares[org] = sharing.create_link(
            admin, "web", "page", world.pages[room_key].id
        ).share_id
    world.shares["restricted"] = sharing.create_link(
        admin, "secured", "page", world.pages["staff_restricted"].id
    ).share_id
    room = world.pages["northwind_room"]
    sharing.invite_guests(admin, room.id, f"{GUEST_NAME} <{GUEST_EMAIL}>", contribute=True)
    token = new_token()
    with session_scope() as session:
        share = session.exec(
            select(Share).where(Share.guest_email == GUEST_EMAIL, Share.page_id == room.id)
        ).one()
        assert share.id is not None
        world.shares[GUEST] = share.id
        session.add(
            ShareSession(
                token_hash=token_hash(token),
                share_id=share.id,
                expires_at=utcnow() + timedelta(days=30),
            )
        )
    world.guest_cookie = sharing.GUEST_COOKIE_PREFIX + token
    world.guest = sharing.resolve_guest(world.guest_cookie)
    assert world.guest is not None
    world.comments[GUEST] = discussion.post_comment(
        world.guest, room.id, room.widget("discussion"), f"A {GUEST_WORDS}"
    ).id
    world.secrets[GUEST] = [GUEST_WORDS, GUEST_NAME, GUEST_EMAIL]


_FORM = {
    "fields": [
        {"id": "note", "label": "Note"},
        {"id": "doc", "label": "Document", "kind": "file"},
    ]
}
