"""``portal doctor``: check the configuration, one line per check, saying what to fix.

Every check returns a :class:`Check` with a status: ``ok``, ``warn`` (worth knowing,
not wrong) or ``fail`` (the portal will misbehave). ``main`` prints them and returns 1
when any check failed. Nothing here changes anything: no database is created, no
migration is run, no mail is sent.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from portal_app.config import Settings, get_settings
from portal_app.storage.scan import ClamdScanner

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 5.0  # seconds, for every network check
CLAMD_SOCKETS = (Path("/var/run/clamav/clamd.ctl"), Path("/run/clamav/clamd.ctl"))
CLAMDSCAN = "clamdscan"
# What Reflex's Redis state manager subscribes to (reflex.istate.manager.redis):
# K = keyspace events; $ strings, s sets, g generic, x expired, e evicted.
# "A" stands for "g$lshzxetd".
REFLEX_KEYSPACE_CLASSES = "$sgxe"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str

    def line(self) -> str:
        label = {OK: "[ok]  ", WARN: "[warn]", FAIL: "[FAIL]"}[self.status]
        return f"{label} {self.name}: {self.message}"


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --------------------------------------------------------------------------- database
def check_database(settings: Settings) -> Check:
    import sqlalchemy as sa
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    url = sa.engine.make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        path = url.database
        if path and path != ":memory:" and not Path(path).is_file():
            return Check("database", FAIL, f"{shown}: no database file yet; run `portal migrate`")
        engine = sa.create_engine(url)
    elif url.get_backend_name() in {"postgresql", "mysql"}:
        engine = sa.create_engine(url, connect_args={"connect_timeout": int(TIMEOUT)})
    else:
        engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.SQLAlchemyError as exc:
        return Check(
            "database",
            FAIL,
            f"cannot connect to {shown} ({_reason(exc)}); "
            "check PORTAL_DATABASE_URL and that the database server runs",
        )
    finally:
        engine.dispose()

    alembic_config = Config(str(REPO_ROOT / "alembic.ini"))
    scripts = ScriptDirectory.from_config(alembic_config)
    head = scripts.get_current_head()
    if current == head:
        return Check("database", OK, f"{shown} reachable, at the latest migration ({head})")
    if current is None:
        return Check("database", FAIL, f"{shown} has no schema yet; run `portal migrate`")
    known = {rev.revision for rev in scripts.walk_revisions()}
    if current not in known:
        return Check(
            "database",
            FAIL,
            f"{shown} is at migration {current}, which this code does not know "
            "(migrated by a newer version?); deploy the same version everywhere",
        )
    return Check(
        "database",
        FAIL,
        f"{shown} is at migration {current}, the latest is {head}; run `portal migrate`",
    )


# --------------------------------------------------------------------------- redis
def check_redis(settings: Settings) -> Check:
    if not settings.redis_url:
        return Check(
            "redis",
            OK,
            "single process: in-memory state (set PORTAL_REDIS_URL to run several workers)",
        )
    import redis

    shown = _hide_password(settings.redis_url)
    try:
        client = redis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
        )
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        return Check(
            "redis",
            FAIL,
            f"cannot reach {shown} ({_reason(exc)}); check PORTAL_REDIS_URL and that Redis runs",
        )
    try:
        try:
            events = client.config_get("notify-keyspace-events").get("notify-keyspace-events", "")
        except redis.ResponseError:
            return Check(
                "redis",
                WARN,
                f"{shown} reachable, but it refuses CONFIG GET: make sure its "
                "notify-keyspace-events includes K$sgxe (e.g. KEA), Reflex needs them",
            )
    finally:
        client.close()
    classes = events.replace("A", "g$lshzxetd")
    missing = [c for c in REFLEX_KEYSPACE_CLASSES if c not in classes]
    if "K" not in events or missing:
        return Check(
            "redis",
            FAIL,
            f"{shown} reachable, but keyspace notifications are off "
            f"(notify-keyspace-events={events!r}); set `notify-keyspace-events KEA` "
            "in redis.conf: the workers' state locks depend on them",
        )
    return Check("redis", OK, f"{shown} reachable, keyspace notifications on ({events})")


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def check_workers(settings: Settings) -> Check:
    if settings.workers > 1 and not settings.redis_url:
        return Check(
            "workers",
            FAIL,
            f"PORTAL_WORKERS={settings.workers} needs PORTAL_REDIS_URL: without Redis "
            "each worker keeps its own state; set PORTAL_REDIS_URL or PORTAL_WORKERS=1",
        )
    plural = "s" if settings.workers > 1 else ""
    return Check("workers", OK, f"{settings.workers} backend worker{plural} (PORTAL_WORKERS)")


# --------------------------------------------------------------------------- storage
def public_upload_dir() -> Path:
    """Reflex's upload folder, served to anyone at /_upload."""
    configured = os.environ.get("REFLEX_UPLOADED_FILES_DIR", "")
    return Path(configured or REPO_ROOT / "uploaded_files").resolve()


def check_storage(settings: Settings) -> Check:
    files = settings.storage_dir
    public = public_upload_dir()
    if files == public or public in files.parents:
        return Check(
            "storage",
            FAIL,
            f"{files} is inside Reflex's public upload folder {public}, which anyone "
            "can download from: move PORTAL_STORAGE_DIR (or REFLEX_UPLOADED_FILES_DIR)",
        )
    if files.is_dir():
        try:
            with tempfile.TemporaryFile(dir=files):
                pass
        except OSError as exc:
            return Check(
                "storage",
                FAIL,
                f"{files} is not writable ({exc.strerror}); fix its owner or permissions",
            )
        return Check("storage", OK, f"{files} writable, not publicly served")
    existing = next(p for p in (files, *files.parents) if p.exists())
    # Try it: permission bits say nothing to root, nor about /proc or a read-only mount.
    try:
        if not existing.is_dir():
            raise NotADirectoryError
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".portal-doctor-"))
    except OSError:
        return Check(
            "storage",
            FAIL,
            f"{files} does not exist and cannot be created ({existing} is not writable)",
        )
    return Check("storage", OK, f"{files} will be created at the first upload")


# --------------------------------------------------------------------------- mail
def check_smtp(settings: Settings) -> Check:
    if not settings.smtp_enabled:
        return Check(
            "smtp",
            OK,
            "PORTAL_SMTP_HOST not set: local outbox in use (Settings » Outbox, server log)",
        )
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
            code, _ = smtp.ehlo()
            if code != 250:
                return Check("smtp", FAIL, f"{where} answered EHLO with {code}")
            if settings.smtp_starttls:
                if not smtp.has_extn("starttls"):
                    return Check(
                        "smtp",
                        FAIL,
                        f"{where} does not offer STARTTLS but PORTAL_SMTP_STARTTLS is on",
                    )
                smtp.starttls()
                smtp.ehlo()
            if settings.smtp_user and not smtp.has_extn("auth"):
                return Check(
                    "smtp",
                    WARN,
                    f"{where} reachable but offers no AUTH, and PORTAL_SMTP_USER is set",
                )
    except (OSError, smtplib.SMTPException) as exc:
        return Check(
            "smtp",
            FAIL,
            f"cannot talk to {where} ({_reason(exc)}); check PORTAL_SMTP_HOST/PORT "
            "or unset PORTAL_SMTP_HOST to use the local outbox",
        )
    tls = ", STARTTLS" if settings.smtp_starttls else ""
    return Check("smtp", OK, f"{where} reachable (EHLO accepted{tls})")


# --------------------------------------------------------------------------- web
def check_public_url(settings: Settings) -> Check:
    url = settings.public_url
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return Check(
            "public url",
            FAIL,
            f"PORTAL_PUBLIC_URL={url!r} is not an http(s) URL such as https://portal.example",
        )
    if parts.path or parts.query or parts.fragment:
        return Check(
            "public url",
            FAIL,
            f"PORTAL_PUBLIC_URL={url!r} has a path; the portal must be served at the root "
            f"of its own host: use {parts.scheme}://{parts.netloc}",
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return Check("public url", FAIL, f"PORTAL_PUBLIC_URL={url!r} has an invalid port")
    if parts.hostname in LOCAL_HOSTS and port != settings.port:
        return Check(
            "public url",
            FAIL,
            f"{url} points at port {port} on this machine but the portal listens on "
            f"PORTAL_PORT={settings.port}; make them match",
        )
    behind = "" if parts.hostname in LOCAL_HOSTS else f" (a proxy forwards to port {settings.port})"
    return Check("public url", OK, f"{url}, the only origin allowed on the event socket{behind}")


def check_cookies(settings: Settings) -> Check:
    host = urlsplit(settings.public_url).hostname or ""
    if settings.secure_cookies:
        return Check(
            "cookies", OK, "Secure session cookies (derived from the https PORTAL_PUBLIC_URL)"
        )
    if host in LOCAL_HOSTS:
        return Check(
            "cookies",
            OK,
            "not Secure: served over http on this machine (an https PORTAL_PUBLIC_URL "
            "makes them Secure)",
        )
    return Check(
        "cookies",
        WARN,
        f"not Secure: {host} is served over plain http; put it behind TLS and set "
        "PORTAL_PUBLIC_URL to its https:// address",
    )


def check_bcrypt(settings: Settings) -> Check:
    raw = os.environ.get("PORTAL_BCRYPT_ROUNDS", "").strip()
    if raw and raw.isdigit() and int(raw) < 12:
        return Check(
            "bcrypt",
            WARN,
            f"PORTAL_BCRYPT_ROUNDS={raw} is below 12; the portal uses 12 anyway: raise the setting",
        )
    return Check("bcrypt", OK, f"cost {settings.bcrypt_rounds}")


# --------------------------------------------------------------------------- uploads
def check_virus_scanner(settings: Settings) -> Check:
    """With ``PORTAL_CLAMAV_SOCKET`` every upload is scanned there: it must answer (an
    unreachable scanner refuses every upload). Without it uploads are not scanned,
    whatever is installed on this machine."""
    address = settings.clamav_socket.strip()
    if address:
        try:
            version = ClamdScanner(address, timeout=5).ping()
        except OSError as exc:
            return Check(
                "uploads",
                FAIL,
                f"ClamAV at {address}: unreachable ({_reason(exc)}); every upload is "
                "refused until it answers",
            )
        return Check("uploads", OK, f"ClamAV at {address}: reachable ({version[:80]})")
    for path in CLAMD_SOCKETS:
        if path.is_socket():
            return Check(
                "uploads",
                WARN,
                f"clamd socket at {path}, but PORTAL_CLAMAV_SOCKET is not set: "
                "uploads are not scanned",
            )
    found = shutil.which(CLAMDSCAN)
    if found:
        return Check(
            "uploads",
            WARN,
            f"clamdscan at {found}, but no clamd socket in PORTAL_CLAMAV_SOCKET: "
            "uploads are not scanned",
        )
    return Check("uploads", WARN, "no virus scanner: uploads are not scanned")


CHECKS: tuple[Callable[[Settings], Check], ...] = (
    check_database,
    check_redis,
    check_workers,
    check_storage,
    check_smtp,
    check_public_url,
    check_cookies,
    check_bcrypt,
    check_virus_scanner,
)


def run_checks(settings: Settings | None = None) -> list[Check]:
    settings = settings or get_settings()
    return [check(settings) for check in CHECKS]


def main() -> int:
    """Print every check; 1 when any failed (warnings don't)."""
    checks = run_checks()
    for check in checks:
        print(check.line())
    failed = sum(check.status == FAIL for check in checks)
    warned = sum(check.status == WARN for check in checks)
    if failed:
        print(f"{failed} problem(s) to fix, {warned} warning(s).")
        return 1
    print(f"No problems, {warned} warning(s).")
    return 0
