"""Backups: one archive with the database and every stored file, and the way back.

``create_backup`` writes a gzip'd tar archive (``portal backup``)::

    manifest.json            what is inside, and the checksum of every part
    database/portal.db       SQLite: a snapshot made with SQLite's online backup API
    database/portal.pgdump   PostgreSQL: ``pg_dump --format=custom``
    files/<ab>/<key>         the bytes of every file a row of the snapshot refers to

It is consistent while the portal runs. The database is copied first, as one
snapshot (SQLite's backup API holds one read transaction for the whole copy; on
PostgreSQL ``pg_dump`` runs in a repeatable-read transaction whose snapshot is the one
the file list was read in). The files are then copied by the keys *that snapshot*
holds: stored bytes never change, a deleted file keeps its bytes (rows are only marked
deleted), and a file uploaded after the snapshot has no row in it, so it isn't needed.
A row whose bytes are missing is reported (``BackupResult.missing``) and listed in the
manifest.

``restore_backup`` (``portal restore``) puts an archive back into the configured data
folder and database, which must be empty unless ``force``: it checks the manifest and
every checksum before touching anything, then replaces the database (SQLite: the
snapshot file; PostgreSQL: ``pg_restore`` in one transaction) and writes the files
into the storage folder. The caller then migrates to head, so a backup from an older
revision is upgraded.

Every failure is a ``BackupError`` with a one-line message for the operator.

A foundation-level module: config, db, storage and models only, never the layers above.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from portal_app.config import Settings, get_settings
from portal_app.db import reset_engine
from portal_app.storage import LocalStorage, get_storage
from portal_app.storage.base import CHUNK_SIZE, KEY, BlobNotFound, check_key

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/portal.db"
POSTGRES_MEMBER = "database/portal.pgdump"
FILES = "files"
SUFFIX = ".tar.gz"
REPO_ROOT = Path(__file__).resolve().parent.parent


class BackupError(Exception):
    """Why a backup or a restore could not be done, in one line for the operator."""


@dataclass(frozen=True)
class MissingFile:
    file_id: int
    key: str
    filename: str
    reason: str  # "missing" or "damaged"


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    missing: list[MissingFile] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    left_in_place: int  # blobs already in the storage folder that the backup doesn't hold


# --------------------------------------------------------------------------- helpers


def engine_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("The configured SQLite database is in memory: nothing to back up.")
    return Path(database)


def portal_version() -> str:
    try:
        return metadata.version("portal")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def blob_member(key: str) -> str:
    return f"{FILES}/{key[:2]}/{key}"


def _local_storage() -> LocalStorage:
    storage = get_storage()
    if not isinstance(storage, LocalStorage):  # pragma: no cover - the only backend today
        raise BackupError("Backups only know the local storage folder.")
    return storage


def _blob_path(storage: LocalStorage, key: str) -> Path:
    # The local storage's own layout (storage/local.py): <root>/<2 chars>/<key>.
    key = check_key(key)
    return storage.root / key[:2] / key


def known_revisions() -> tuple[set[str], str]:
    """Every alembic revision this code knows, and its head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(Config(str(REPO_ROOT / "alembic.ini")))
    return {rev.revision for rev in scripts.walk_revisions()}, scripts.get_current_head() or ""


# --------------------------------------------------------------------------- PostgreSQL


def postgres_tool(name: str) -> str:
    """``pg_dump``, ``pg_restore`` or ``psql``: the newest under /usr/lib/postgresql/*/bin
    (Debian's layout, the same place tests/support/engines.py finds the server), else
    the one on PATH."""

    def version(path: str) -> int:
        digits = Path(path).parent.parent.name
        return int(digits) if digits.isdigit() else 0

    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)[::-1]:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (Debian: postgresql-client)."
        )
    return found


def _libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables (a password never on a command line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    parts = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    env.update({k: v for k, v in parts.items() if v})
    for option, variable in (("sslmode", "PGSSLMODE"), ("host", "PGHOST")):
        value = url.query.get(option)
        if isinstance(value, str) and value:
            env[variable] = value
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - our own tool path and arguments
            command, env=env, capture_output=True, text=True, timeout=3600
        )
    except OSError as exc:
        raise BackupError(f"{what} could not run: {exc}") from exc
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[:300]
        raise BackupError(f"{what} failed: {detail}")


# --------------------------------------------------------------------------- backup


def default_target(now: datetime) -> Path:
    return Path.cwd() / f"portal-backup-{now:%Y%m%d-%H%M%S}{SUFFIX}"


def _snapshot_rows(connection) -> tuple[str | None, list[tuple]]:
    """The revision and every stored file row, read in the caller's snapshot."""
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT version_num FROM alembic_version")
        row = cursor.fetchone()
        revision = row[0] if row else None
    except Exception as exc:  # noqa: BLE001 - driver-specific "no such table"
        raise BackupError("The database has no schema yet (run `portal migrate`).") from exc
    cursor.execute("SELECT id, storage_key, filename, size, sha256 FROM stored_file ORDER BY id")
    return revision, list(cursor.fetchall())


def _snapshot_sqlite(path: Path, out: Path) -> tuple[str | None, list[tuple]]:
    if not path.is_file():
        raise BackupError(f"No database at {path}: nothing to back up.")
    source = sqlite3.connect(path, timeout=30)
    target = sqlite3.connect(out)
    try:
        # One step (pages=-1): SQLite copies every page inside one read transaction,
        # so writers that commit meanwhile (WAL) are simply not in the copy.
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return _snapshot_rows(target)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Could not copy the SQLite database: {exc}") from exc
    finally:
        target.close()
        source.close()


def _snapshot_postgres(url: URL, out: Path) -> tuple[str | None, list[tuple]]:
    import psycopg2

    pg_dump = postgres_tool("pg_dump")
    env = _libpq_env(url)
    try:
        connection = psycopg2.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database,
            **{k: v for k, v in url.query.items() if isinstance(v, str)},
        )
    except psycopg2.Error as exc:
        raise BackupError(f"Could not connect to PostgreSQL: {' '.join(str(exc).split())}") from exc
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        revision, rows = _snapshot_rows(connection)
        # pg_dump reads the very snapshot the file list above came from.
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={out}",
            ],
            env,
            "pg_dump",
        )
        return revision, rows
    finally:
        connection.rollback()
        connection.close()


class _HashingReader(io.RawIOBase):
    """Reads a blob through the storage interface, hashing what passes."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = b""
        self.digest = hashlib.sha256()
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.digest.update(out)
        self.read_bytes += len(out)
        return out


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(target: Path | None = None, settings: Settings | None = None) -> BackupResult:
    """Write one archive of the database and every stored file (see the module doc)."""
    settings = settings or get_settings()
    engine = engine_of(settings.database_url)
    now = datetime.now(UTC)
    target = (target or default_target(now)).resolve()
    if target.is_dir():
        target = target / default_target(now).name
    if not target.parent.is_dir():
        raise BackupError(f"No folder {target.parent} to write the backup into.")
    storage = _local_storage()
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".portal-backup-", dir=target.parent) as work:
        if engine == "sqlite":
            member, dump = SQLITE_MEMBER, Path(work) / "portal.db"
            revision, rows = _snapshot_sqlite(_sqlite_path(settings.database_url), dump)
        else:
            member, dump = POSTGRES_MEMBER, Path(work) / "portal.pgdump"
            revision, rows = _snapshot_postgres(make_url(settings.database_url), dump)
        files: list[dict] = []
        missing: list[MissingFile] = []
        try:
            # Password and session hashes are inside: readable by the owner only.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(descriptor, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
            ):
                archive.add(dump, arcname=member, recursive=False, filter=_private)
                for file_id, key, filename, size, sha256 in rows:
                    entry = _copy_blob(archive, storage, file_id, key, filename, size, sha256)
                    if isinstance(entry, MissingFile):
                        missing.append(entry)
                    else:
                        files.append(entry)
                manifest = {
                    "format": FORMAT,
                    "portal_version": portal_version(),
                    "alembic_revision": revision,
                    "created_at": now.isoformat(timespec="seconds"),
                    "engine": engine,
                    "database": {
                        "member": member,
                        "size": dump.stat().st_size,
                        "sha256": _sha256_file(dump),
                    },
                    "file_count": len(files),
                    "files": files,
                    "missing_files": [vars(m) for m in missing],
                }
                body = json.dumps(manifest, indent=1, sort_keys=True).encode()
                _add_bytes(archive, MANIFEST, body, now.timestamp())
            os.replace(partial, target)
        except OSError as exc:  # a full disk, a blob that shrank while it was read, ...
            partial.unlink(missing_ok=True)
            raise BackupError(f"Could not write the backup to {target}: {exc}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(path=target, manifest=manifest, missing=missing)


def _copy_blob(
    archive: tarfile.TarFile,
    storage: LocalStorage,
    file_id: int,
    key: str,
    filename: str,
    size: int,
    sha256: str,
) -> dict | MissingFile:
    if not isinstance(key, str) or not KEY.fullmatch(key):
        return MissingFile(file_id, str(key), filename, "missing")
    try:
        actual = storage.size(key)
        reader = _HashingReader(storage.open_range(key))
    except BlobNotFound:
        return MissingFile(file_id, key, filename, "missing")
    info = tarfile.TarInfo(blob_member(key))
    info.size = actual
    info.mode = 0o600
    info.mtime = int(_blob_path(storage, key).stat().st_mtime)
    archive.addfile(info, reader)
    digest = reader.digest.hexdigest()
    if reader.read_bytes != actual or actual != size or digest != sha256:
        # Kept in the archive (it may be all there is), and reported.
        return MissingFile(file_id, key, filename, "damaged")
    return {"key": key, "size": actual, "sha256": digest}


# --------------------------------------------------------------------------- restore


def _member_ok(name: str, info: tarfile.TarInfo) -> bool:
    path = PurePosixPath(name)
    if not info.isfile() or path.is_absolute() or ".." in path.parts:
        return False
    if name in (MANIFEST, SQLITE_MEMBER, POSTGRES_MEMBER):
        return True
    parts = path.parts
    return (
        len(parts) == 3
        and parts[0] == FILES
        and bool(KEY.fullmatch(parts[2]))
        and parts[1] == parts[2][:2]
    )


def _unpack(archive_path: Path, into: Path) -> dict:
    """Extract the archive into ``into`` and check it; returns the manifest."""
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            for info in archive:
                if not _member_ok(info.name, info):
                    raise BackupError(
                        f"{archive_path} is not a portal backup (unexpected entry {info.name!r})."
                    )
                archive.extract(info, into, filter="data")
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            f"{archive_path} is damaged or not a portal backup ({type(exc).__name__}: "
            f"{' '.join(str(exc).split()) or 'unreadable'})."
        ) from exc
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{archive_path} is damaged or not a portal backup (no manifest).")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{archive_path} has an unreadable manifest ({exc}).") from exc
    _check(manifest, into, archive_path)
    return manifest


def _check(manifest: object, into: Path, archive_path: Path) -> None:
    def damaged(why: str) -> BackupError:
        return BackupError(f"{archive_path} is damaged: {why}.")

    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise damaged("the manifest is not one this portal writes")
    database, files = manifest.get("database"), manifest.get("files")
    if not isinstance(database, dict) or not isinstance(files, list):
        raise damaged("the manifest lacks the database or the file list")
    member = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}.get(manifest.get("engine"))
    if member is None or database.get("member") != member:
        raise damaged("the manifest names no database this portal knows")
    dump = into / member
    if not dump.is_file():
        raise damaged(f"{member} is missing")
    if _sha256_file(dump) != database.get("sha256"):
        raise damaged(f"{member} does not match its checksum in the manifest")
    if manifest.get("file_count") != len(files):
        raise damaged("the file count does not match the file list")
    listed = set()
    for entry in files:
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise damaged("the manifest lists a file with a malformed key")
        path = into / blob_member(key)
        if not path.is_file():
            raise damaged(f"{blob_member(key)} is missing")
        if path.stat().st_size != entry.get("size") or _sha256_file(path) != entry.get("sha256"):
            raise damaged(f"{blob_member(key)} does not match its checksum in the manifest")
        listed.add(key)
    held = {p.name for p in (into / FILES).glob("*/*")} if (into / FILES).is_dir() else set()
    damaged_keys = {m.get("key") for m in manifest.get("missing_files", []) if isinstance(m, dict)}
    extra = held - listed - damaged_keys
    if extra:
        raise damaged(f"{len(extra)} file(s) are not in the manifest")


def target_has_data(settings: Settings | None = None) -> str:
    """What the configured database and storage folder already hold ('' when nothing)."""
    settings = settings or get_settings()
    found = []
    storage = _local_storage()
    if storage.root.is_dir() and any(
        KEY.fullmatch(p.name) for p in storage.root.glob("*/*") if p.is_file()
    ):
        found.append(f"stored files in {storage.root}")
    rows = _database_rows(settings)
    if rows:
        found.append(f"{rows} row(s) in the database")
    return " and ".join(found)


def _database_rows(settings: Settings) -> int:
    if engine_of(settings.database_url) == "sqlite":
        path = _sqlite_path(settings.database_url)
        if not path.exists():
            return 0
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            total = 0
            for table in inspector.get_table_names():
                if table == "alembic_version":
                    continue
                quoted = connection.dialect.identifier_preparer.quote(table)
                total += connection.execute(
                    sa.text(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - reflected name
                ).scalar_one()
            return total
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"Could not read the target database: {exc.__class__.__name__}") from exc
    finally:
        engine.dispose()


def restore_backup(
    archive_path: Path, *, force: bool = False, settings: Settings | None = None
) -> RestoreResult:
    """Restore ``archive_path`` into the configured database and storage folder. The
    caller migrates to head afterwards."""
    settings = settings or get_settings()
    engine = engine_of(settings.database_url)
    archive_path = Path(archive_path).resolve()
    if not archive_path.is_file():
        raise BackupError(f"No backup archive at {archive_path}.")
    existing = target_has_data(settings)
    if existing and not force:
        raise BackupError(
            f"The target already has data ({existing}); restore into an empty data folder "
            "and database, or pass --force to replace it."
        )
    storage = _local_storage()
    storage.root.mkdir(parents=True, exist_ok=True)
    # Unpacked inside the storage folder (hidden from it: a dot folder), so each blob
    # reaches its place by a rename on the same file system.
    with tempfile.TemporaryDirectory(prefix=".portal-restore-", dir=storage.root) as work:
        into = Path(work)
        manifest = _unpack(archive_path, into)
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup is of a {manifest['engine']} database but the portal is configured "
                f"for {engine}: restore it into a {manifest['engine']} database "
                "(PORTAL_DATABASE_URL)."
            )
        revisions, _head = known_revisions()
        revision = manifest.get("alembic_revision")
        if revision is not None and revision not in revisions:
            raise BackupError(
                f"This backup is at database revision {revision}, which this portal "
                f"({portal_version()}) does not know: restore it with a newer portal."
            )
        reset_engine()  # no pooled connection may hold the old database
        if engine == "sqlite":
            _restore_sqlite(into / SQLITE_MEMBER, _sqlite_path(settings.database_url))
        else:
            _restore_postgres(into / POSTGRES_MEMBER, settings.database_url, into, revision)
        written = _restore_files(manifest, into, storage)
    left = sum(
        1
        for p in storage.root.glob("*/*")
        if p.is_file() and KEY.fullmatch(p.name) and p.name not in written
    )
    return RestoreResult(manifest=manifest, files=len(written), left_in_place=left)


def _restore_sqlite(snapshot: Path, path: Path) -> None:
    try:
        with sqlite3.connect(snapshot) as check:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The backup's database is damaged: {exc}.") from exc
    if verdict != "ok":
        raise BackupError(f"The backup's database is damaged: {verdict}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.restoring")
    shutil.copyfile(snapshot, staged)
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)
    os.replace(staged, path)


def _restore_postgres(dump: Path, database_url: str, work: Path, revision: str | None) -> None:
    """Drop whatever tables the target has and load the dump, in ONE transaction
    (``psql --single-transaction``), which ends by checking that the portal's schema
    arrived at the backup's revision: any failure leaves the target as it was."""
    url = make_url(database_url)
    env = _libpq_env(url)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            tables = [quote(name) for name in sa.inspect(connection).get_table_names()]
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(
            f"Could not read the target database: {' '.join(str(exc).split())[:300]}"
        ) from exc
    finally:
        engine.dispose()
    clear = work / "clear.sql"
    clear.write_text(f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE;\n" if tables else "")
    script = work / "restore.sql"
    _run(
        [
            postgres_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            f"--file={script}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
    # pg_restore turns some damaged dumps into a script that creates nothing: the load
    # must have brought the backup's revision, or the whole transaction rolls back.
    check = work / "check.sql"
    if revision is None:  # a backup taken before any migration: the table must exist
        check.write_text("SELECT count(*) FROM public.alembic_version;\n")
    else:
        expected = revision.replace("'", "''")
        check.write_text(
            "DO $$ BEGIN\n"  # noqa: S608 - a revision this code knows, quoted
            "  IF NOT EXISTS (SELECT 1 FROM public.alembic_version"
            f" WHERE version_num = '{expected}') THEN\n"
            "    RAISE EXCEPTION 'the dump did not hold the backup''s database';\n"
            "  END IF;\nEND $$;\n"
        )
    _run(
        [
            postgres_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={clear}",
            f"--file={script}",
            f"--file={check}",
        ],
        env,
        "psql",
    )


def _restore_files(manifest: dict, into: Path, storage: LocalStorage) -> set[str]:
    written: set[str] = set()
    damaged = [m.get("key") for m in manifest.get("missing_files", []) if isinstance(m, dict)]
    keys = [entry["key"] for entry in manifest["files"]]
    # Damaged bytes (a size or checksum the row disagrees with) are restored as they
    # were backed up: the row still points at them, and the operator was told.
    keys += [key for key in damaged if isinstance(key, str) and (into / blob_member(key)).is_file()]
    for key in keys:
        final = _blob_path(storage, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(into / blob_member(key), final)
        written.add(key)
    return written
