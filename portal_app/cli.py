"""The ``portal`` command: migrate, create-admin, seed-demo, worker, doctor, backup, restore."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from portal_app.config import get_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def migrate() -> None:
    """Upgrade the database to the latest migration."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _create_admin(args: argparse.Namespace) -> int:
    from portal_app.errors import Invalid
    from portal_app.services import people

    email = args.email or os.environ.get("PORTAL_ADMIN_EMAIL", "") or "admin@portal.local"
    password = args.password or os.environ.get("PORTAL_ADMIN_PASSWORD", "")
    url = get_settings().public_url
    if args.if_missing and people.any_admin_exists():
        print(f"An administrator already exists. Sign in at {url}/login")
        return 0
    generated = not password
    if generated:
        password = secrets.token_urlsafe(15)
    try:
        people.create_admin(email, password, args.name)
    except Invalid as exc:
        print(f"Could not create the administrator: {exc}", file=sys.stderr)
        return 2
    print(f"Administrator ready. Sign in at {url}/login as {email}")
    if generated:
        print(f"  Password (shown once, change it under Account): {password}")
    return 0


DEMO_PASSWORD = "portal-demo-password"  # noqa: S105  (printed for the demo, documented)


def _seed_demo(_args: argparse.Namespace) -> int:
    """A small living portal: two client organizations, their people and the firm's staff."""
    from sqlmodel import select

    from portal_app.db import session_scope
    from portal_app.models import Organization, OrganizationStaff, Role, User
    from portal_app.services.passwords import hash_password

    password_hash = hash_password(DEMO_PASSWORD)
    staff = [
        ("Dana Whitfield", "dana@firm.example", Role.STAFF),
        ("Sam Okafor", "sam@firm.example", Role.STAFF),
    ]
    clients = {
        "Northwind Traders": [
            ("Ana Trujillo", "ana@northwind.example"),
            ("Thomas Hardy", "thomas@northwind.example"),
        ],
        "Globex Corporation": [
            ("Hank Scorpio", "hank@globex.example"),
            ("Mindy Simmons", "mindy@globex.example"),
        ],
    }
    with session_scope() as session:

        def person(name: str, email: str, role: Role, org_id: int | None) -> User:
            user = session.exec(select(User).where(User.email == email)).first()
            if user is None:
                user = User(
                    email=email,
                    display_name=name,
                    role=role,
                    organization_id=org_id,
                    password_hash=password_hash,
                )
                session.add(user)
                session.flush()
            return user

        staff_users = [person(n, e, r, None) for n, e, r in staff]
        for index, (org_name, members) in enumerate(clients.items()):
            org = session.exec(select(Organization).where(Organization.name == org_name)).first()
            if org is None:
                org = Organization(name=org_name)
                session.add(org)
                session.flush()
            for name, email in members:
                person(name, email, Role.LIMITED, org.id)
            assigned = staff_users[index]
            if session.get(OrganizationStaff, (org.id, assigned.id)) is None:
                session.add(OrganizationStaff(organization_id=org.id, user_id=assigned.id))
    _seed_demo_pages()
    print(f"Demo data ready. Every demo person signs in with the password '{DEMO_PASSWORD}':")
    for name, email, _ in staff:
        print(f"  staff   {email:28} {name}")
    for org_name, members in clients.items():
        for name, email in members:
            print(f"  client  {email:28} {name} ({org_name})")
    return 0


def _seed_demo_pages() -> None:
    """A home page for everyone and a project page shared with Northwind only (once)."""
    from sqlmodel import select

    from portal_app.access import actor_for
    from portal_app.db import session_scope
    from portal_app.models import Organization, Page, User
    from portal_app.services import drafts, grants, pages

    with session_scope() as session:
        if session.exec(select(Page.id).where(Page.slug == "welcome")).first():
            return
        dana = actor_for(session.exec(select(User).where(User.email == "dana@firm.example")).one())
        northwind = session.exec(
            select(Organization.id).where(Organization.name == "Northwind Traders")
        ).one()
        admin = session.exec(select(User).where(User.role == "admin")).first()

    def build(title: str, widgets: list[tuple[str, int, dict]], columns: int = 2) -> int:
        draft = pages.create_page(dana, title)
        draft = drafts.edit_draft(
            dana,
            draft.id,
            draft.revision,
            "set_section_columns",
            {"section_id": draft.sections[0].id, "columns": columns},
        )
        for type_name, column, config in widgets:
            target = draft.sections[0].columns[column].id
            draft = drafts.edit_draft(
                dana,
                draft.id,
                draft.revision,
                "add_widget",
                {"type_name": type_name, "column": target, "index": 99},
            )
            if config:
                draft = drafts.edit_draft(
                    dana,
                    draft.id,
                    draft.revision,
                    "update_widget",
                    {"widget_id": draft.touched_widget, "config": config},
                )
        drafts.publish(dana, draft.id, draft.revision)
        return draft.id

    welcome = build(
        "Welcome",
        [
            (
                "rich_text",
                0,
                {
                    "html": "<h2>Good to have you here</h2><p>This portal is where we "
                    "share documents, plans and questions with you. Pages shared "
                    "with you appear on the left.</p>"
                },
            ),
            (
                "links",
                1,
                {
                    "title": "Useful links",
                    "items": [{"label": "Our website", "url": "https://example.com"}],
                },
            ),
        ],
    )
    project = build(
        "Northwind: 2027 bookkeeping",
        [
            (
                "rich_text",
                0,
                {"html": "<p>Everything about this year's closing, in one place.</p>"},
            ),
            ("discussion", 0, {"title": "Questions", "allow_replies": True}),
            (
                "form",
                1,
                {
                    "title": "Ask us for something",
                    "fields": [
                        {
                            "id": "request",
                            "label": "What do you need?",
                            "kind": "long_text",
                            "required": True,
                        },
                        {"id": "deadline", "label": "By when?", "kind": "date"},
                    ],
                },
            ),
        ],
    )
    grants.set_permissions(
        dana, project, "all", [], [{"kind": "organization", "id": northwind, "level": "contribute"}]
    )
    if admin is not None:
        pages.set_home(actor_for(admin), welcome)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="Portal administration")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the latest migration")
    admin = sub.add_parser("create-admin", help="create (or reset) an administrator")
    admin.add_argument("--email", default="")
    admin.add_argument("--password", default="")
    admin.add_argument("--name", default="Administrator")
    admin.add_argument(
        "--if-missing", action="store_true", help="do nothing when an active administrator exists"
    )
    sub.add_parser("seed-demo", help="add two demo client organizations and their people")
    sub.add_parser(
        "worker", help="deliver queued mail in the foreground (with PORTAL_WORKER=off on the web)"
    )
    sub.add_parser("doctor", help="check the configuration and say what to fix")
    backup = sub.add_parser(
        "backup",
        help="write one archive of the database and every stored file (safe while running)",
    )
    backup.add_argument(
        "--to",
        default="",
        metavar="PATH",
        help="the archive to write, or a folder for it "
        "(default: ./portal-backup-<UTC time>.tar.gz)",
    )
    restore = sub.add_parser(
        "restore", help="restore a backup into the configured (empty) data folder and database"
    )
    restore.add_argument("archive", metavar="PATH", help="an archive `portal backup` wrote")
    restore.add_argument(
        "--force", action="store_true", help="replace a database and data folder that hold data"
    )
    args = parser.parse_args(argv)
    if args.command == "migrate":
        migrate()
        print("Database is up to date.")
        return 0
    if args.command == "create-admin":
        return _create_admin(args)
    if args.command == "worker":
        return _run_worker()
    if args.command == "doctor":
        from portal_app import doctor

        return doctor.main()
    if args.command == "backup":
        return _backup(args)
    if args.command == "restore":
        return _restore(args)
    return _seed_demo(args)


def _backup(args: argparse.Namespace) -> int:
    from portal_app import backup

    try:
        result = backup.create_backup(Path(args.to) if args.to else None)
    except backup.BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 2
    manifest = result.manifest
    size = result.path.stat().st_size
    print(
        f"Backup written: {result.path} ({size:,} bytes; {manifest['engine']} database at "
        f"revision {manifest['alembic_revision']}, {manifest['file_count']} stored file(s))"
    )
    if result.missing:
        for gone in result.missing:
            print(
                f"  Warning: file #{gone.file_id} {gone.filename!r} (key {gone.key}): "
                f"its bytes are {gone.reason} in the storage folder",
                file=sys.stderr,
            )
        print(
            f"The backup is incomplete: {len(result.missing)} file(s) could not be copied "
            "whole (listed in its manifest under missing_files).",
            file=sys.stderr,
        )
        return 1
    return 0


def _restore(args: argparse.Namespace) -> int:
    from portal_app import backup

    try:
        result = backup.restore_backup(Path(args.archive), force=args.force)
    except backup.BackupError as exc:
        print(f"Restore failed: {exc}", file=sys.stderr)
        return 2
    manifest = result.manifest
    try:
        migrate()
    except Exception as exc:  # noqa: BLE001  (one line for the operator, not a traceback)
        print(
            f"Restored, but upgrading the database to this portal's revision failed: "
            f"{' '.join(str(exc).split())[:300]} (run `portal migrate` to see why)",
            file=sys.stderr,
        )
        return 2
    print(
        f"Restored the backup of {manifest['created_at']} ({manifest['engine']}, revision "
        f"{manifest['alembic_revision']}, {result.files} stored file(s)); "
        "the database is at the latest revision."
    )
    if result.left_in_place:
        print(
            f"  {result.left_in_place} stored file(s) already in the storage folder were left "
            "in place (no row refers to them)."
        )
    return 0


def _run_worker() -> int:
    from huey.consumer import Consumer

    from portal_app import worker

    print("Delivering queued mail (Ctrl+C stops).")
    Consumer(worker.get_queue(), workers=1, periodic=True, max_delay=0.5).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
