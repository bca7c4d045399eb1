"""`portal backup` and `portal restore`: one archive holds the database and every stored
file; restoring it into an empty data folder and database gives back everything.

Each round trip runs on SQLite and on PostgreSQL (a throwaway server, see
tests/support/engines.py), through the real command (``cli.main``), with the tenant
world's pages, comments, submissions and files.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import portal_app.models  # noqa: F401  (registers every table)
from portal_app import backup, cli, config, db
from portal_app.db import get_engine
from portal_app.errors import NotFound
from portal_app.models import StoredFile, WidgetComment
from portal_app.services import files
from portal_app.storage import get_storage
from portal_app.widgets.discussion import actions as discussion
from tests.support.tenant_world import PDF, TenantWorld, build_tenant_world


# --------------------------------------------------------------------------- helpers
@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request, portal_db, monkeypatch) -> str:
    """The portal on each engine (SQLite from portal_db, or a fresh PostgreSQL database),
    migrated to head."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("PORTAL_DATABASE_URL", url)
        config.reload_settings()
        cli.migrate()
        request.addfinalizer(db.reset_engine)
    assert get_engine().dialect.name == request.param
    return request.param


@pytest.fixture
def fresh_target(request, engine_name, tmp_path, monkeypatch):
    """Call it to point the portal at an empty data folder (and, on PostgreSQL, an empty
    database that exists but has no tables)."""

    def switch(name: str = "restored") -> Path:
        data_dir = tmp_path / name
        monkeypatch.setenv("PORTAL_DATA_DIR", str(data_dir))
        if engine_name == "postgresql":
            server = request.getfixturevalue("postgres_server")
            url = server.create_database()
            request.addfinalizer(lambda: server.drop_database(url))
            request.addfinalizer(db.reset_engine)
        else:
            url = f"sqlite:///{data_dir / 'portal.db'}"
        monkeypatch.setenv("PORTAL_DATABASE_URL", url)
        config.reload_settings()
        return data_dir

    return switch


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    rows = {}
    with get_engine().connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            rows[table.name] = [
                tuple(row) for row in connection.execute(sa.select(table).order_by(*order))
            ]
        rows["alembic_version"] = [
            tuple(row)
            for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        ]
    return rows


def stored_bytes() -> dict[str, bytes]:
    with db.session_scope() as session:
        keys = [f.storage_key for f in session.query(StoredFile).all()]
    storage = get_storage()
    return {key: b"".join(storage.open_range(key)) for key in keys}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_one_line_refusal(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Restore failed: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as opened:
        return json.loads(opened.extractfile(backup.MANIFEST).read())


def rewrite(archive: Path, out: Path, change) -> None:
    """Copy ``archive`` to ``out``, passing each member's bytes through ``change(name,
    data)``."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for info in source:
            data = change(info.name, source.extractfile(info).read())
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))


def current_revision() -> str:
    with get_engine().connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def head_revision() -> str:
    return backup.known_revisions()[1]


@pytest.fixture
def world(engine_name) -> TenantWorld:
    return build_tenant_world()


# --------------------------------------------------------------------------- round trip
def test_a_backup_restores_every_row_and_every_file(
    engine_name, world, fresh_target, tmp_path, capsys
):
    before, before_bytes = every_row(), stored_bytes()
    # 6 page files, and per organization 5 documents' files (two versions of one).
    assert len(before_bytes) == 16 and all(data.startswith(PDF) for data in before_bytes.values())
    archive = tmp_path / "nightly.tar.gz"

    code, out, err = run(capsys, "backup", "--to", str(archive))

    assert (code, err) == (0, "")
    assert f"Backup written: {archive}" in out and "16 stored file(s)" in out
    manifest = read_manifest(archive)
    assert manifest["engine"] == engine_name
    assert manifest["alembic_revision"] == head_revision()
    assert manifest["file_count"] == 16 and manifest["missing_files"] == []
    assert manifest["portal_version"] == backup.portal_version() != "unknown"
    assert manifest["created_at"].endswith("+00:00")
    assert {f["key"] for f in manifest["files"]} == set(before_bytes)
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    member = backup.SQLITE_MEMBER if engine_name == "sqlite" else backup.POSTGRES_MEMBER
    assert member in names and backup.MANIFEST in names

    data_dir = fresh_target()
    code, out, err = run(capsys, "restore", str(archive))

    assert (code, err) == (0, "")
    assert "16 stored file(s)" in out and "latest revision" in out
    assert get_settings_data_dir() == data_dir
    assert every_row() == before
    assert stored_bytes() == before_bytes
    # Clients still download their own files, and still only theirs.
    ana, hank = world.actors["ana"], world.actors["hank"]
    file, storage = files.open_for_download(ana, world.files["northwind_form"])
    assert b"".join(storage.open_range(file.storage_key)) == PDF
    assert file.filename == "signed-northwind-payroll.pdf"
    with pytest.raises(NotFound):
        files.open_for_download(hank, world.files["northwind_form"])
    assert [
        c.body
        for c in discussion.list_comments(
            ana,
            world.pages["northwind_room"].id,
            world.pages["northwind_room"].widget("discussion"),
        )
    ] == ["Our walrus tariff appeal"]


def get_settings_data_dir() -> Path:
    return config.get_settings().data_dir


def test_backup_writes_into_a_folder_with_a_dated_name(portal_db, tmp_path, capsys):
    folder = tmp_path / "backups"
    folder.mkdir()
    code, out, _ = run(capsys, "backup", "--to", str(folder))
    assert code == 0
    [written] = list(folder.iterdir())
    assert written.name.startswith("portal-backup-") and written.name.endswith(".tar.gz")
    assert str(written) in out


def test_a_backup_from_an_older_revision_is_upgraded_on_restore(
    engine_name, world, fresh_target, tmp_path, capsys
):
    from alembic.config import Config

    from alembic import command

    alembic = Config(str(cli.REPO_ROOT / "alembic.ini"))
    alembic.attributes["configure_logger"] = False
    command.downgrade(alembic, "-1")
    db.reset_engine()
    older = current_revision()
    assert older != head_revision()
    archive = tmp_path / "old.tar.gz"
    assert run(capsys, "backup", "--to", str(archive))[0] == 0
    assert read_manifest(archive)["alembic_revision"] == older

    fresh_target()
    code, out, err = run(capsys, "restore", str(archive))

    assert (code, err) == (0, "")
    assert f"revision {older}" in out
    assert current_revision() == head_revision()
    assert set(sa.inspect(get_engine()).get_table_names()) == set(SQLModel.metadata.tables) | {
        "alembic_version"
    }
    file, storage = files.open_for_download(world.actors["hank"], world.files["globex_form"])
    assert b"".join(storage.open_range(file.storage_key)) == PDF


# --------------------------------------------------------------------------- while writing
@pytest.mark.queued_mail
def test_a_backup_taken_while_comments_pour_in_restores_a_consistent_snapshot(
    engine_name, world, fresh_target, tmp_path, capsys
):
    room = world.pages["shared"]
    widget = room.widget("discussion")
    ana = world.actors["ana"]
    posted: list[int] = []
    uploads: list[int] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def body(n: int) -> str:
        return f"comment {n:05d} " + "abcdefghij" * (n % 50 + 1)

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set():
                posted.append(discussion.post_comment(ana, room.id, widget, body(n)).id)
                if n % 4 == 0:
                    uploads.append(
                        files.save_upload(
                            ana, room.id, room.widget("form"), f"scan-{n}.pdf", [PDF, b"%d" % n]
                        ).id
                    )
                n += 1
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(posted) < 5 and thread.is_alive():
            stop.wait(0.01)
        # A busy machine may let a whole backup pass between two comments: take
        # backups until one had comments committed while it ran (at most five).
        for attempt in range(5):
            during_start = len(posted)
            archive = tmp_path / f"busy-{attempt}.tar.gz"
            code, out, err = run(capsys, "backup", "--to", str(archive))
            during_end = len(posted)
            if code != 0 or during_end > during_start:
                break
        while len(posted) < during_end + 3 and thread.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(30)
    assert not failures, failures
    assert (code, err) == (0, ""), out
    assert during_end > during_start, "no comment was written while the backup ran"
    everything = len(posted)

    data_dir = fresh_target()
    assert run(capsys, "restore", str(archive))[0] == 0

    with db.session_scope() as session:
        comments = (
            session.query(WidgetComment)
            .filter(WidgetComment.page_id == room.id, WidgetComment.widget_id == widget)
            .order_by(WidgetComment.id)
            .all()
        )
        stored = session.query(StoredFile).order_by(StoredFile.id).all()
    restored_ids = [c.id for c in comments if c.body.startswith("comment ")]
    # A snapshot: the comments up to some moment, all of them, none after.
    assert restored_ids == posted[: len(restored_ids)]
    assert during_start <= len(restored_ids) < everything
    for n, comment in enumerate(c for c in comments if c.body.startswith("comment ")):
        assert comment.body == body(n)  # complete, not cut
        assert comment.author_id == ana.user_id and comment.created_at is not None
    # Every file row the snapshot holds has its bytes; later uploads are not needed.
    restored_uploads = [f.id for f in stored if f.filename.startswith("scan-")]
    assert restored_uploads == uploads[: len(restored_uploads)]
    for file in stored:
        if file.filename.startswith("scan-"):
            got, storage = files.open_for_download(ana, file.id)
            n = int(file.filename[5:-4])
            assert b"".join(storage.open_range(got.storage_key)) == PDF + b"%d" % n
    if engine_name == "sqlite":
        with sqlite3.connect(data_dir / "portal.db") as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert check.execute("PRAGMA foreign_key_check").fetchall() == []


# --------------------------------------------------------------------------- refusals
def test_restore_refuses_a_target_with_data_unless_forced(engine_name, world, tmp_path, capsys):
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", "--to", str(archive))[0] == 0
    before = every_row()
    room = world.pages["northwind_room"]
    discussion.post_comment(world.actors["ana"], room.id, room.widget("discussion"), "After")
    after = every_row()

    code, _, err = run(capsys, "restore", str(archive))

    assert_one_line_refusal(code, err, "already has data", "--force")
    db.reset_engine()
    assert every_row() == after

    code, out, err = run(capsys, "restore", str(archive), "--force")

    assert (code, err) == (0, ""), out
    assert every_row() == before
    assert len(stored_bytes()) == 16


def test_restore_refuses_missing_and_corrupt_archives(
    engine_name, world, fresh_target, tmp_path, capsys
):
    archive = tmp_path / "good.tar.gz"
    assert run(capsys, "backup", "--to", str(archive))[0] == 0
    whole = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive at all\n" * 50)
    empty = tmp_path / "empty.tar.gz"
    empty.write_bytes(b"")
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as other:
        info = tarfile.TarInfo("../../etc/cron.d/evil")
        info.size = 3
        other.addfile(info, io.BytesIO(b"bad"))
    no_manifest = tmp_path / "no-manifest.tar.gz"
    rewrite_without(archive, no_manifest, backup.MANIFEST)

    data_dir = fresh_target()
    cases = [
        (tmp_path / "nowhere.tar.gz", "No backup archive at"),
        (truncated, "is damaged or not a portal backup"),
        (garbage, "is damaged or not a portal backup"),
        (empty, "is damaged or not a portal backup"),
        (foreign, "unexpected entry"),
        (no_manifest, "no manifest"),
    ]
    for path, message in cases:
        code, _, err = run(capsys, "restore", str(path))
        assert_one_line_refusal(code, err, message)
    assert backup.target_has_data() == ""
    assert not (data_dir / "portal.db").exists()
    assert not (data_dir / "etc").exists() and not (tmp_path / "etc").exists()


def rewrite_without(archive: Path, out: Path, name: str) -> None:
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for info in source:
            if info.name != name:
                target.addfile(info, source.extractfile(info))


def test_restore_refuses_tampered_bytes_and_checksums(
    engine_name, world, fresh_target, tmp_path, capsys
):
    archive = tmp_path / "good.tar.gz"
    assert run(capsys, "backup", "--to", str(archive))[0] == 0
    manifest = read_manifest(archive)
    victim = backup.blob_member(manifest["files"][0]["key"])

    flipped = tmp_path / "flipped-byte.tar.gz"
    rewrite(archive, flipped, lambda n, d: d[:-1] + b"X" if n == victim else d)
    wrong_sum = tmp_path / "wrong-checksum.tar.gz"

    def change_sum(name: str, data: bytes) -> bytes:
        if name != backup.MANIFEST:
            return data
        changed = json.loads(data)
        changed["files"][1]["sha256"] = "0" * 64
        return json.dumps(changed).encode()

    rewrite(archive, wrong_sum, change_sum)
    database = tmp_path / "database.tar.gz"
    member = manifest["database"]["member"]
    rewrite(archive, database, lambda n, d: d[:100] + b"\0" + d[101:] if n == member else d)
    dropped_file = tmp_path / "dropped-file.tar.gz"
    rewrite_without(archive, dropped_file, victim)

    data_dir = fresh_target()
    for path, message in [
        (flipped, f"{victim} does not match its checksum"),
        (wrong_sum, "does not match its checksum"),
        (database, f"{member} does not match its checksum"),
        (dropped_file, f"{victim} is missing"),
    ]:
        code, _, err = run(capsys, "restore", str(path))
        assert_one_line_refusal(code, err, "is damaged", message)
    assert backup.target_has_data() == ""
    assert not (data_dir / "portal.db").exists()
    # The untouched archive still restores.
    assert run(capsys, "restore", str(archive))[0] == 0


def test_backup_reports_files_whose_bytes_are_missing_or_changed(
    engine_name, world, tmp_path, capsys
):
    with db.session_scope() as session:
        lost = session.get(StoredFile, world.files["globex"])
        changed = session.get(StoredFile, world.files["northwind"])
    storage = get_storage()
    storage.delete(lost.storage_key)
    blob = storage.root / changed.storage_key[:2] / changed.storage_key
    blob.write_bytes(PDF[:-1] + b"!")  # same size, other bytes
    archive = tmp_path / "partial.tar.gz"

    code, out, err = run(capsys, "backup", "--to", str(archive))

    assert code == 1, (out, err)
    assert "Traceback" not in err
    assert f"file #{lost.id} 'globex-merger.pdf'" in err and "are missing" in err
    assert f"file #{changed.id} 'northwind-payroll.pdf'" in err and "are damaged" in err
    assert "14 stored file(s)" in out and "2 file(s) could not be copied whole" in err
    manifest = read_manifest(archive)
    assert manifest["file_count"] == 14
    assert sorted(manifest["missing_files"], key=lambda m: m["file_id"]) == sorted(
        [
            {
                "file_id": lost.id,
                "key": lost.storage_key,
                "filename": "globex-merger.pdf",
                "reason": "missing",
            },
            {
                "file_id": changed.id,
                "key": changed.storage_key,
                "filename": "northwind-payroll.pdf",
                "reason": "damaged",
            },
        ],
        key=lambda m: m["file_id"],
    )


def test_restore_refuses_a_backup_of_the_other_engine(
    portal_db, tmp_path, capsys, request, monkeypatch
):
    archive = tmp_path / "sqlite.tar.gz"
    assert run(capsys, "backup", "--to", str(archive))[0] == 0
    url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "pg-data"))
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    config.reload_settings()
    code, _, err = run(capsys, "restore", str(archive))
    assert_one_line_refusal(code, err, "sqlite database", "configured for postgresql")
    db.reset_engine()


def test_backup_refuses_clearly_when_there_is_no_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'empty' / 'portal.db'}")
    config.reload_settings()
    code, _, err = run(capsys, "backup", "--to", str(tmp_path))
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [
        f"Backup failed: No database at {tmp_path / 'empty' / 'portal.db'}: nothing to back up."
    ]
    assert list(tmp_path.glob("*.tar.gz")) == [] and list(tmp_path.glob(".*partial")) == []


def test_a_restore_that_cannot_load_the_database_leaves_the_target_as_it_was(
    engine_name, world, tmp_path, capsys
):
    archive = tmp_path / "good.tar.gz"
    assert run(capsys, "backup", "--to", str(archive))[0] == 0
    manifest = read_manifest(archive)
    member = manifest["database"]["member"]
    garbage = b"PGDMP" + b"\x01" * 5000 if engine_name == "postgresql" else b"\0" * 8192
    manifest["database"].update(size=len(garbage), sha256=hashlib.sha256(garbage).hexdigest())
    broken = tmp_path / "unloadable.tar.gz"

    def swap(name: str, data: bytes) -> bytes:
        if name == member:
            return garbage
        return json.dumps(manifest).encode() if name == backup.MANIFEST else data

    rewrite(archive, broken, swap)
    before, before_bytes = every_row(), stored_bytes()

    code, _, err = run(capsys, "restore", str(broken), "--force")

    assert code == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("Restore failed: "), err
    db.reset_engine()
    assert every_row() == before
    assert stored_bytes() == before_bytes
