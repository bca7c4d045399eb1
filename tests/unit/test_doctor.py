"""``portal doctor`` against real services: a migrated database, a throwaway Redis and a
real SMTP server for the healthy case; unreachable or misconfigured ones for the rest."""

from __future__ import annotations

import socket

import pytest
from alembic.script import ScriptDirectory

from alembic import command
from portal_app import cli, config, doctor
from tests.support.engines import RedisServer, free_port
from tests.support.smtp import SmtpCapture
from tests.unit.test_migrations import alembic_config


@pytest.fixture(autouse=True)
def _no_scanner_no_public_dir(monkeypatch, tmp_path):
    """The host's own clamd and upload-folder settings must not decide the outcome."""
    monkeypatch.setattr(doctor, "CLAMD_SOCKETS", (tmp_path / "no-clamd.ctl",))
    monkeypatch.setattr(doctor, "CLAMDSCAN", "no-such-clamdscan")
    monkeypatch.delenv("REFLEX_UPLOADED_FILES_DIR", raising=False)
    monkeypatch.delenv("PORTAL_WORKERS", raising=False)


def run_doctor(monkeypatch, capsys, **env: str) -> tuple[int, list[str]]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config.reload_settings()
    code = cli.main(["doctor"])
    return code, capsys.readouterr().out.splitlines()


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_healthy_configuration_passes(portal_db, redis_url, monkeypatch, capsys):
    with SmtpCapture() as smtp:
        code, lines = run_doctor(
            monkeypatch,
            capsys,
            PORTAL_REDIS_URL=redis_url,
            PORTAL_WORKERS="2",
            PORTAL_SMTP_HOST=smtp.host,
            PORTAL_SMTP_PORT=str(smtp.port),
            PORTAL_PORT="3000",
            PORTAL_PUBLIC_URL="http://localhost:3000",
            PORTAL_BCRYPT_ROUNDS="13",
        )
    files = portal_db.data_dir / "files"
    # The session's Redis is shared: a portal started by another test may have set its
    # own (sufficient) notification flags, so only their presence is checked here.
    redis_line = lines.pop(1)
    assert redis_line.startswith(
        f"[ok]   redis: {redis_url} reachable, keyspace notifications on ("
    )
    assert "K" in redis_line.rsplit("(", 1)[1]
    assert lines == [
        f"[ok]   database: {portal_db.url} reachable, at the latest migration ({head()})",
        "[ok]   workers: 2 backend workers (PORTAL_WORKERS)",
        f"[ok]   storage: {files} will be created at the first upload",
        f"[ok]   smtp: {smtp.host}:{smtp.port} reachable (EHLO accepted)",
        "[ok]   public url: http://localhost:3000, the only origin allowed on the event socket",
        "[ok]   cookies: not Secure: served over http on this machine (an https "
        "PORTAL_PUBLIC_URL makes them Secure)",
        "[ok]   bcrypt: cost 13",
        "[warn] uploads: no virus scanner: uploads are not scanned",
        "No problems, 1 warning(s).",
    ]
    assert code == 0
    assert smtp.messages == []  # EHLO only: nothing was sent


def test_a_broken_configuration_fails_and_says_what_to_fix(portal_db, monkeypatch, capsys):
    database_port, smtp_port = free_port(), free_port()  # nothing listens on either
    with RedisServer(keyspace_events="") as redis:
        code, lines = run_doctor(
            monkeypatch,
            capsys,
            PORTAL_DATABASE_URL=f"postgresql+psycopg2://portal:s3cret@127.0.0.1:{database_port}/portal",
            PORTAL_REDIS_URL=redis.url,
            PORTAL_SMTP_HOST="127.0.0.1",
            PORTAL_SMTP_PORT=str(smtp_port),
            PORTAL_PUBLIC_URL="https://portal.example/client-area",
            PORTAL_BCRYPT_ROUNDS="10",
            REFLEX_UPLOADED_FILES_DIR=str(portal_db.data_dir),
        )
    assert code == 1
    by_name = {line.split(":", 1)[0]: line for line in lines}
    assert by_name["[FAIL] database"] == (
        f"[FAIL] database: cannot connect to postgresql+psycopg2://portal:***@127.0.0.1:"
        f'{database_port}/portal (connection to server at "127.0.0.1", port {database_port} '
        "failed: Connection refused); check PORTAL_DATABASE_URL and that the database "
        "server runs"
    )
    assert "s3cret" not in "\n".join(lines)
    assert by_name["[FAIL] redis"] == (
        f"[FAIL] redis: {redis.url} reachable, but keyspace notifications are off "
        "(notify-keyspace-events=''); set `notify-keyspace-events KEA` in redis.conf: "
        "the workers' state locks depend on them"
    )
    assert by_name["[FAIL] storage"].startswith(
        f"[FAIL] storage: {portal_db.data_dir / 'files'} is inside Reflex's public upload "
        f"folder {portal_db.data_dir}, which anyone can download from"
    )
    assert by_name["[FAIL] smtp"] == (
        f"[FAIL] smtp: cannot talk to 127.0.0.1:{smtp_port} ([Errno 111] Connection "
        "refused); check PORTAL_SMTP_HOST/PORT or unset PORTAL_SMTP_HOST to use the "
        "local outbox"
    )
    assert by_name["[FAIL] public url"] == (
        "[FAIL] public url: PORTAL_PUBLIC_URL='https://portal.example/client-area' has a "
        "path; the portal must be served at the root of its own host: use "
        "https://portal.example"
    )
    assert by_name["[ok]   cookies"] == (
        "[ok]   cookies: Secure session cookies (derived from the https PORTAL_PUBLIC_URL)"
    )
    assert by_name["[warn] bcrypt"].startswith("[warn] bcrypt: PORTAL_BCRYPT_ROUNDS=10 is below 12")
    assert lines[-1] == "5 problem(s) to fix, 2 warning(s)."


def test_an_unmigrated_database_asks_for_portal_migrate(portal_db, monkeypatch, capsys):
    command.downgrade(alembic_config(), "-1")
    code, lines = run_doctor(monkeypatch, capsys)
    assert code == 1
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head()).down_revision
    assert lines[0] == (
        f"[FAIL] database: {portal_db.url} is at migration {previous}, the latest is "
        f"{head()}; run `portal migrate`"
    )


def test_several_workers_need_redis(portal_db, monkeypatch, capsys):
    code, lines = run_doctor(monkeypatch, capsys, PORTAL_WORKERS="4")
    assert code == 1
    assert "[ok]   redis: single process: in-memory state" in lines[1]
    assert lines[2].startswith("[FAIL] workers: PORTAL_WORKERS=4 needs PORTAL_REDIS_URL")


def test_plain_http_on_a_public_host_is_a_warning_not_a_failure(portal_db, monkeypatch, capsys):
    code, lines = run_doctor(monkeypatch, capsys, PORTAL_PUBLIC_URL="http://portal.example")
    assert code == 0
    assert "[warn] cookies: not Secure: portal.example is served over plain http" in "\n".join(
        lines
    )


def test_a_public_url_on_another_local_port_fails(portal_db, monkeypatch, capsys):
    code, lines = run_doctor(
        monkeypatch, capsys, PORTAL_PORT="3000", PORTAL_PUBLIC_URL="http://localhost:8080"
    )
    assert code == 1
    assert (
        "[FAIL] public url: http://localhost:8080 points at port 8080 on this machine but "
        "the portal listens on PORTAL_PORT=3000; make them match"
    ) in lines


def test_a_clamd_socket_without_the_setting_is_not_scanning(
    portal_db, monkeypatch, capsys, tmp_path
):
    path = tmp_path / "clamd.ctl"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        monkeypatch.setattr(doctor, "CLAMD_SOCKETS", (tmp_path / "missing.ctl", path))
        code, lines = run_doctor(monkeypatch, capsys)
    assert code == 0
    assert (
        f"[warn] uploads: clamd socket at {path}, but PORTAL_CLAMAV_SOCKET is not set: "
        "uploads are not scanned"
    ) in lines


def test_the_storage_folder_setting_is_the_one_checked(portal_db, monkeypatch, capsys, tmp_path):
    public = tmp_path / "public"
    files = public / "portal-files"
    code, lines = run_doctor(
        monkeypatch,
        capsys,
        PORTAL_STORAGE_DIR=str(files),
        REFLEX_UPLOADED_FILES_DIR=str(public),
    )
    assert code == 1
    assert (
        f"[FAIL] storage: {files} is inside Reflex's public upload folder {public}, which "
        "anyone can download from: move PORTAL_STORAGE_DIR (or REFLEX_UPLOADED_FILES_DIR)"
    ) in lines


def test_a_storage_folder_that_cannot_be_created_is_a_problem(portal_db, monkeypatch, capsys):
    # /proc refuses new folders even to root, whose permission bits say "writable".
    code, lines = run_doctor(monkeypatch, capsys, PORTAL_STORAGE_DIR="/proc/portal-files")
    assert code == 1
    assert (
        "[FAIL] storage: /proc/portal-files does not exist and cannot be created "
        "(/proc is not writable)"
    ) in lines
